package dev.vigil.stream;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.internals.TimeWindow;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hopping windows closed by event-time progress ({@link ProgressClosedWindows}), kept as entries
 * per slice of the window grid (the greatest common divisor of size and advance) and combined
 * into each window's aggregate only when the window closes.
 *
 * <p>Why: an aggregate that grows with every record (a band bucket's members) kept whole per
 * window is rewritten to the changelog at every commit it changes, in every overlapping window:
 * a popular bucket of thousands of members, four windows, ten commits a second. Here a record
 * writes one small entry (its member, in its slice), once; a window reads its slices when it
 * closes, and a slice is deleted once the last window holding it has closed.
 *
 * <p>Entries are keyed {@code slice|key|entry}; an entry the sender had already passed some open
 * windows with (see {@link #counts}) carries the first window end it counts in
 * ({@code #end} after the entry key), so it is left out of the windows before it, as whole
 * windows leave it out. Within a window the entries are combined in (slice, key, entry) order,
 * so what a capped aggregate keeps does not depend on the order partitions were read in.
 */
public abstract class SlicedWindowProcessor<V extends Stamped, E, A, KOut, VOut>
        extends ProgressClosedWindows<V, KOut, VOut> {
    private final String sliceStore;
    private final long slice;
    private KeyValueStore<String, E> store;
    private int entryCap = Integer.MAX_VALUE;
    /** New entries admitted per slice start (only while {@link #entryCap} is set). */
    private final TreeMap<Long, EntryCounts> admitted = new TreeMap<>();

    protected SlicedWindowProcessor(final TimeWindows windows, final String sliceStore, final String progressStore) {
        super(windows, progressStore);
        this.sliceStore = sliceStore;
        this.slice = gcd(windows.sizeMs, windows.advanceMs);
    }

    @Override
    public void init(final ProcessorContext<KOut, VOut> context) {
        super.init(context);
        this.store = context.getStateStore(sliceStore);
        ObjectCachedStore.reloadOnNextUse(store);
        admitted.clear();
    }

    /** What identifies {@code value}'s entry within its key and slice (no {@code '#'}). */
    protected abstract String entryKey(V value);

    /** A new entry for {@code value}. */
    protected abstract E entry(V value);

    /** Adds {@code value} to its existing {@code entry}, returning it. */
    protected abstract E merge(E entry, V value);

    /** A new, empty aggregate. */
    protected abstract A initial();

    /** Adds a stored entry (read, not to be changed) to {@code aggregate}, returning it. */
    protected abstract A combine(A aggregate, String entryKey, E entry);

    /** A window closed with its final aggregate. */
    protected abstract void closed(Windowed<String> window, A aggregate);

    @Override
    protected void count(final Record<String, V> record) {
        final V v = record.value();
        long firstOpen = Long.MAX_VALUE;
        long firstCounted = Long.MAX_VALUE;
        for (final TimeWindow w : windowsOf(record).values()) {
            final long end = w.end();
            if (end > closedThrough()) {
                firstOpen = Math.min(firstOpen, end);
            }
            if (counts(end, v)) {
                firstCounted = Math.min(firstCounted, end);
            } else {
                late(v);
            }
        }
        if (firstCounted == Long.MAX_VALUE) {
            return; // every window is closed or passed: its slice may be gone, nothing to keep
        }
        final long sliceStart = Math.floorDiv(record.timestamp(), slice) * slice;
        final String key = pad(sliceStart) + "|" + record.key() + "|"
                + entryKey(v) + (firstCounted > firstOpen ? "#" + pad(firstCounted) : "");
        final E before = store.get(key);
        if (before != null) {
            store.put(key, merge(before, v));
        } else if (entryCap == Integer.MAX_VALUE || admitted.computeIfAbsent(sliceStart, s -> new EntryCounts())
                .admit(record.key(), entryCap)) {
            store.put(key, entry(v));
        } else {
            overflowed(v);
        }
    }

    /**
     * New entries per key and slice a task admits; past it {@link #overflowed} hears of each
     * record that would have made one. What bounds a flood of distinct members into one key
     * (the members a window reads when it closes are held in memory then).
     */
    protected void entryCap(final int cap) {
        this.entryCap = cap;
    }

    /** A record not kept because its key's slice was full ({@link #entryCap}). */
    protected void overflowed(final V value) {
    }

    /**
     * Entries admitted per key in one slice, counted in a two-row count-min sketch: fixed memory
     * (256 KiB a slice) however many keys a slice has, and a count never below the true one, so
     * no key passes the cap. A key may be stopped early only if hash collisions add up to the cap
     * in both of its cells: with the abuse stage's 262,144 band buckets, 15-minute slices and a
     * cap of 5,000, that takes about 45,000 human messages a second on one task. Held in memory
     * only: after a restart a slice may admit up to the cap again, which still bounds it.
     */
    private static final class EntryCounts {
        private static final int CELLS = 1 << 15;
        private final int[] first = new int[CELLS];
        private final int[] second = new int[CELLS];

        boolean admit(final String key, final int cap) {
            final int h = key.hashCode();
            final int a = (h ^ (h >>> 16)) & (CELLS - 1);
            final int b = (Integer.rotateLeft(h * 0x9E3779B1, 13) ^ key.length()) & (CELLS - 1);
            if (Math.min(first[a], second[b]) >= cap) {
                return false;
            }
            first[a]++;
            second[b]++;
            return true;
        }
    }

    @Override
    protected void closeEnded(final long after, final long through) {
        final long size = windows.sizeMs;
        final long advance = windows.advanceMs;
        // Every slice a window ending in (after, through] reads, in one scan.
        final long from = after == SourceProgress.NONE ? 0 : Math.max(0, endAfter(after) - size);
        final TreeMap<Long, List<KeyValue<String, E>>> slices = new TreeMap<>();
        try (KeyValueIterator<String, E> it = store.range(pad(from), pad(through - 1) + "|\uffff")) {
            while (it.hasNext()) {
                final KeyValue<String, E> e = it.next();
                slices.computeIfAbsent(Long.parseLong(e.key.substring(0, 19)), s -> new ArrayList<>()).add(e);
            }
        }
        if (slices.isEmpty()) {
            return;
        }
        long end = endAfter(after == SourceProgress.NONE ? slices.firstKey() : after);
        while (end <= through) {
            final long start = end - size;
            final Map<Long, List<KeyValue<String, E>>> held = slices.subMap(start, end);
            if (held.isEmpty()) {
                // Nothing in this window: go to the first window holding the next slice.
                final Long next = slices.ceilingKey(end);
                if (next == null) {
                    break;
                }
                end = Math.max(end + advance, endAfter(next));
                continue;
            }
            final TreeMap<String, A> byKey = new TreeMap<>();
            for (final List<KeyValue<String, E>> entries : held.values()) {
                for (final KeyValue<String, E> e : entries) {
                    final int keyEnd = e.key.indexOf('|', 20);
                    String entryKey = e.key.substring(keyEnd + 1);
                    final int marker = entryKey.length() - 20;
                    if (marker > 0 && entryKey.charAt(marker) == '#') {
                        if (Long.parseLong(entryKey.substring(marker + 1)) > end) {
                            continue;
                        }
                        entryKey = entryKey.substring(0, marker);
                    }
                    final String key = e.key.substring(20, keyEnd);
                    final A before = byKey.get(key);
                    byKey.put(key, combine(before == null ? initial() : before, entryKey, e.value));
                }
            }
            for (final Map.Entry<String, A> w : byKey.entrySet()) {
                closed(new Windowed<>(w.getKey(), new TimeWindow(start, end)), w.getValue());
            }
            end += advance;
        }
        // A slice is done once the last window holding it (the one starting in its advance) closed.
        for (final Map.Entry<Long, List<KeyValue<String, E>>> s : slices.entrySet()) {
            if (Math.floorDiv(s.getKey(), advance) * advance + size > through) {
                break;
            }
            for (final KeyValue<String, E> e : s.getValue()) {
                store.delete(e.key);
            }
        }
        // Counts of slices no open window holds any more.
        admitted.headMap(Math.floorDiv(through - size, advance) * advance + advance, false).clear();
    }

    private static long gcd(final long a, final long b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
