package dev.vigil.aggregate;

import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.stream.Metered;
import dev.vigil.stream.ProgressStamper;
import dev.vigil.stream.SortableKeys;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.internals.TimeWindow;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The first phase of the aggregates, in the task that keeps the conversations: counts this task's
 * contributions per cell and window, and sends each cell's partial count once, when this task's
 * stream time passes the window's end plus grace, or when the task falls quiet. That is one
 * record per cell and window crossing the repartition topic instead of one per cell per message.
 *
 * <p>Nothing about what a window holds changes: a contribution is late here exactly when it would
 * have been late in the merging task (its sender had passed the window's end plus grace), and
 * the partials of a window reach the merging task before this task's progress past that point
 * (they are stamped with the progress already reported, see {@link #sendAsReported}), so the
 * merged cell is what one task fed every contribution would have counted.
 *
 * <p>The open windows live on the heap. What survives a crash is the log they are built from: each
 * contribution once (packed, about 60 bytes: {@link ContributionCodec}), in a changelogged store, deleted when its last window
 * has been sent. A restarted task counts the logged contributions into the windows still open.
 * Logging the cells instead meant writing every changed cell whole, exact account sets included,
 * at every commit: several KB per message.
 */
final class CellPartials extends ProgressStamper<String, Contribution, CellPartial> {
    /**
     * The windows of one size this task counts, and whether their cells count distinct accounts
     * and conversations (the published size does; the windows only the alerts judge need not).
     */
    record Counted(TimeWindows windows, boolean distinct) {
    }

    /** Log key holding how far windows have been sent ({@link #closedThrough}). */
    static final String CLOSED_KEY = "#closed-through";
    private static final String LOG_PREFIX = "c|";

    private final List<Counted> counted;
    private final long graceMs;
    private final String storeName;
    private final int accountCap;
    private final long maxWeight;
    private final SafetyMetrics metrics;
    /** The log: contributions by the end of their last window, and {@link #CLOSED_KEY}. */
    private KeyValueStore<String, Contribution> log;
    /** Open windows by key {@code end|start|cell}. */
    private final Map<String, CellAccumulator> open = new HashMap<>();
    /** The keys of {@link #open} by window end, so sending the due ones is a head of this map. */
    private final TreeMap<Long, TreeSet<String>> byEnd = new TreeMap<>();
    /** Distinct ids held in {@link #open}: past {@code maxWeight} everything is sent early. */
    private long weight;
    /** Every window ending at or before this has been sent. */
    private long closedThrough = Long.MIN_VALUE;
    /** Log entries at or below this end are deleted: where the next deletion starts. */
    private long loggedFrom = 0;
    private long sequence;

    CellPartials(final List<Counted> counted, final Duration grace, final String storeName, final int accountCap,
                 final long maxWeight, final Duration idleAfter, final SafetyMetrics metrics) {
        super(CellPartial::new, idleAfter);
        this.counted = List.copyOf(counted);
        this.graceMs = grace.toMillis();
        this.storeName = storeName;
        this.accountCap = accountCap;
        this.maxWeight = maxWeight;
        this.metrics = metrics;
    }

    @Override
    public void init(final ProcessorContext<String, CellPartial> context) {
        super.init(context);
        log = context.getStateStore(storeName);
        open.clear();
        byEnd.clear();
        weight = 0;
        sequence = 0;
        final Contribution closed = log.get(CLOSED_KEY);
        closedThrough = closed == null ? Long.MIN_VALUE : closed.sourceTime;
        loggedFrom = 0;
        // The windows still open are rebuilt from the contributions logged for them.
        try (KeyValueIterator<String, Contribution> it = log.range(LOG_PREFIX, LOG_PREFIX + "\uffff")) {
            while (it.hasNext()) {
                final var e = it.next();
                count(e.value, e.value.sourceTime, e.value.at, true);
                sequence = Math.max(sequence, Long.parseLong(e.key.substring(e.key.lastIndexOf('|') + 1), 16) + 1);
            }
        }
    }

    @Override
    protected void emit(final Record<String, Contribution> record, final Emitter<CellPartial> out) {
        final Contribution c = record.value();
        if (c == null) {
            return;
        }
        final long time = streamTime();
        sendDue(time - graceMs);
        final long lastEnd = count(c, time, record.timestamp(), false);
        if (lastEnd != Long.MIN_VALUE) {
            // The arrival time decides lateness, so a replay of the log counts the same windows.
            c.sourceTime = time;
            c.at = record.timestamp();
            log.put(LOG_PREFIX + SortableKeys.time(lastEnd) + "|" + SortableKeys.hex(sequence++, 12), c);
        }
        if (weight > maxWeight) {
            // Too much on the heap (many distinct cells): send it all now. Partials merge, so a
            // window sent in two parts counts the same.
            sendAll();
        }
    }

    /**
     * Counts {@code c} (timestamp {@code at}, arriving when this task's stream time was
     * {@code time}) into every window it is not late for that has not been sent; returns the
     * end of the last window it falls in that is not late, or {@code Long.MIN_VALUE} if none.
     * {@code replaying}: rebuilding from the log, whose late windows were counted as such already.
     */
    private long count(final Contribution c, final long time, final long at, final boolean replaying) {
        long lastEnd = Long.MIN_VALUE;
        List<String> cells = null;
        for (final Counted size : counted) {
            for (final Map.Entry<Long, TimeWindow> w : size.windows().windowsFor(at).entrySet()) {
                final long end = w.getValue().end();
                if (end + graceMs <= time) {
                    if (!replaying) {
                        Metered.safely(() -> metrics.lateRecord("aggregates"));
                    }
                    continue;
                }
                lastEnd = Math.max(lastEnd, end);
                if (end <= closedThrough) {
                    continue; // already sent (a restarted task replaying its log)
                }
                if (cells == null) {
                    cells = c.cells();
                }
                final String prefix = SortableKeys.time(end) + "|" + SortableKeys.time(w.getKey()) + "|";
                for (final String cell : cells) {
                    final String key = prefix + cell;
                    CellAccumulator acc = open.get(key);
                    long before = 0;
                    if (acc == null) {
                        acc = new CellAccumulator();
                        open.put(key, acc);
                        byEnd.computeIfAbsent(end, e -> new TreeSet<>()).add(key);
                    } else {
                        before = acc.weight();
                    }
                    acc.add(c, accountCap, size.distinct());
                    weight += acc.weight() - before;
                }
            }
        }
        return lastEnd;
    }

    @Override
    protected void beforeQuiet() {
        // Nothing more is coming for now, and the readers are about to stop waiting for this task.
        sendAll();
    }

    /** Sends every window ending at or before {@code through}, and forgets what only they needed. */
    private void sendDue(final long through) {
        if (through <= closedThrough) {
            return;
        }
        final NavigableMap<Long, TreeSet<String>> due = byEnd.headMap(through, true);
        if (due.isEmpty()) {
            closedThrough = through;
            return;
        }
        for (final TreeSet<String> keys : due.values()) {
            keys.forEach(this::send);
        }
        due.clear();
        closedThrough = through;
        // Kept in the log's own store (one value type): a restarted task must not count the
        // logged contributions of sent windows again.
        final Contribution mark = new Contribution();
        mark.sourceTime = through;
        log.put(CLOSED_KEY, mark);
        forgetLogThrough(through);
    }

    /** Sends every open window and empties the log: everything it held has been sent. */
    private void sendAll() {
        for (final TreeSet<String> keys : byEnd.values()) {
            keys.forEach(this::send);
        }
        byEnd.clear();
        forgetLogThrough(Long.MAX_VALUE);
    }

    private void send(final String key) {
        final CellAccumulator acc = open.remove(key);
        weight -= acc.weight();
        final String[] parts = key.split("\\|", 3);
        final CellPartial p = new CellPartial();
        p.windowEnd = Long.parseLong(parts[0]);
        p.windowStart = Long.parseLong(parts[1]);
        p.counts = acc;
        sendAsReported(parts[2], p, p.windowEnd - 1);
    }

    /** Deletes the logged contributions whose windows all end at or before {@code through}. */
    private void forgetLogThrough(final long through) {
        final List<String> done = new ArrayList<>();
        // From where the last deletion stopped: RocksDB skips deleted keys one by one until compaction.
        try (KeyValueIterator<String, Contribution> it = log.range(LOG_PREFIX + SortableKeys.time(loggedFrom),
                through == Long.MAX_VALUE ? LOG_PREFIX + "\uffff" : LOG_PREFIX + SortableKeys.time(through) + "|\uffff")) {
            while (it.hasNext()) {
                done.add(it.next().key);
            }
        }
        done.forEach(log::delete);
        if (through != Long.MAX_VALUE) {
            loggedFrom = through;
        }
    }
}
