package dev.vigil.stream;

import dev.vigil.config.MonitoringConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.internals.TimeWindow;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Hopping-window aggregation closed by event-time progress ({@link SourceProgress}) instead of
 * the reading task's own stream time: a window's final value is handed on once every sending task
 * has passed its end plus grace, so it holds exactly the records whose sender had not yet passed
 * that point when sending them, however the sending tasks were scheduled. That is what makes a
 * multi-partition replay or a restart give the same aggregates record for record.
 *
 * <p>Windows are kept in a key-value store keyed by end, start and key, so closing the due ones
 * is one range scan, and are handed to {@link #closed} in (end, start, key) order, then the new
 * watermark to {@link #advanced}. Records whose window had already closed are counted in
 * {@link #late} and not added: that happens only when a sender went idle and came back with old
 * records, or the sender itself had passed the window (Kafka Streams' own notion of late).
 */
public abstract class ProgressWindowProcessor<V extends Stamped, A, KOut, VOut>
        implements Processor<String, V, KOut, VOut> {
    private final TimeWindows windows;
    private final long graceMs;
    private final String windowStore;
    private final SourceProgress progress;
    private ProcessorContext<KOut, VOut> context;
    private KeyValueStore<String, A> store;
    /** The last watermark handed to {@link #advanced}, so it hears each change once. */
    private long announced = SourceProgress.NONE;

    protected ProgressWindowProcessor(final TimeWindows windows, final String windowStore, final String progressStore) {
        this.windows = windows;
        this.graceMs = windows.gracePeriodMs();
        this.windowStore = windowStore;
        this.progress = new SourceProgress(progressStore);
    }

    /**
     * The window store: an object cache over a changelogged store ({@link ObjectCachedStore}),
     * because every record changes several open windows in place; {@code weigher} says how much
     * of the cache's {@code maxWeight} an aggregate takes (e.g. the members it holds).
     */
    public static <A> StoreBuilder<ObjectCachedStore<A>> windowStore(final MonitoringConfig config, final String name,
                                                                      final Serde<A> serde,
                                                                      final ToLongFunction<A> weigher,
                                                                      final long maxWeight) {
        return ObjectCachedStore.builder(config.keyValueStore(name), serde, weigher, maxWeight);
    }

    @Override
    public void init(final ProcessorContext<KOut, VOut> context) {
        this.context = context;
        this.store = context.getStateStore(windowStore);
        ObjectCachedStore.reloadOnNextUse(store);
        progress.init(context);
    }

    protected ProcessorContext<KOut, VOut> context() {
        return context;
    }

    /** A new, empty aggregate. */
    protected abstract A initial();

    /** Adds {@code value} (under {@code key}) to {@code aggregate}, returning it. */
    protected abstract A add(String key, V value, A aggregate);

    /** A window closed with its final aggregate. */
    protected abstract void closed(Windowed<String> window, A aggregate);

    /** Every window ending at or before {@code watermark - grace} has been handed to {@link #closed}. */
    protected void advanced(final long watermark, final int sources) {
    }

    /**
     * The windows {@code record} counts in, by start: every window holding its timestamp, unless
     * the record is itself a window's partial count from a sender that aggregates first.
     */
    protected Map<Long, TimeWindow> windowsOf(final Record<String, V> record) {
        return windows.windowsFor(record.timestamp());
    }

    /** A record that came after its window closed (one call per window missed). */
    protected void late(final V value) {
    }

    @Override
    public void process(final Record<String, V> record) {
        final V v = record.value();
        if (v == null) {
            return;
        }
        final boolean moved = progress.observe(v);
        if (!v.progressOnly) {
            for (final Map.Entry<Long, TimeWindow> w : windowsOf(record).entrySet()) {
                final long end = w.getValue().end();
                if (end + graceMs <= v.sourceTime || end <= progress.closedThrough()) {
                    late(v);
                    continue;
                }
                final String key = key(end, w.getKey(), record.key());
                final A before = store.get(key);
                store.put(key, add(record.key(), v, before == null ? initial() : before));
            }
        }
        if (moved) {
            closeDue();
        }
    }

    private void closeDue() {
        final long watermark = progress.watermark();
        if (watermark == SourceProgress.NONE) {
            return;
        }
        final long through = watermark - graceMs;
        // Windows end on a grid (start multiple of advance, plus size): scan the store only when
        // the watermark crossed one of those ends. A scan writes the object cache's changes down
        // first, so scanning on every progress record cost more than everything else together.
        if (through > progress.closedThrough() && firstEndAfter(progress.closedThrough()) > through) {
            progress.closedThrough(through);
        } else if (through > progress.closedThrough()) {
            // Nothing ends at or before what was closed (such records are late, not added), and
            // RocksDB skips the deletions of closed windows one by one until compaction: start there.
            final long from = progress.closedThrough() == SourceProgress.NONE ? 0 : progress.closedThrough() + 1;
            final List<KeyValue<String, A>> due = new ArrayList<>();
            try (KeyValueIterator<String, A> it = store.range(pad(from), pad(through) + "|\uffff")) {
                while (it.hasNext()) {
                    due.add(it.next());
                }
            }
            for (final KeyValue<String, A> e : due) {
                store.delete(e.key);
                final String[] parts = e.key.split("\\|", 3);
                final long end = Long.parseLong(parts[0]);
                final long start = Long.parseLong(parts[1]);
                closed(new Windowed<>(parts[2], new TimeWindow(start, end)), e.value);
            }
            progress.closedThrough(through);
        }
        if (watermark > announced) {
            announced = watermark;
            advanced(watermark, progress.sources());
        }
    }

    /** The first window end after {@code time}; at most {@code time + 1} when there is nothing to go on. */
    private long firstEndAfter(final long time) {
        if (time == SourceProgress.NONE || time < windows.sizeMs) {
            return Math.min(time, Long.MAX_VALUE - 1) + 1; // near the epoch or unknown: always scan
        }
        return (Math.floorDiv(time - windows.sizeMs, windows.advanceMs) + 1) * windows.advanceMs + windows.sizeMs;
    }

    private static String key(final long end, final long start, final String key) {
        return pad(end) + "|" + pad(start) + "|" + key;
    }

    private static String pad(final long millis) {
        return SortableKeys.time(millis);
    }

    /**
     * The watermark this task has fully reported: what records sent from {@link #closed} carry
     * as their sender's progress. Not the one now closing windows: a reader may act on a
     * sender's progress only after everything that progress covers has arrived, and the windows
     * being closed are still being sent; {@link #advanced} announces the new one after them.
     */
    protected long reportedWatermark() {
        return announced;
    }

    /**
     * Stamps {@code r}, a record this task sends on to the next repartition, as coming from this
     * task with progress {@code watermark} and the sender count it learned.
     */
    protected <S extends Stamped> S stamped(final S r, final long watermark) {
        r.source = context.taskId().partition();
        r.sources = progress.sources();
        r.sourceTime = watermark;
        return r;
    }

    /** How many sending tasks this reader waits for. */
    protected int sources() {
        return progress.sources();
    }
}
