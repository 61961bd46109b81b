package dev.vigil.stream;

import dev.vigil.config.MonitoringConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.internals.TimeWindow;
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
 * Hopping windows closed by event-time progress ({@link ProgressClosedWindows}), each kept as one
 * aggregate: suits aggregates that stay small (a cell's counts), since a changed one is written
 * whole at each commit.
 *
 * <p>Windows are kept in a key-value store keyed by end, start and key, so closing the due ones
 * is one range scan, and are handed to {@link #closed} in (end, start, key) order.
 */
public abstract class ProgressWindowProcessor<V extends Stamped, A, KOut, VOut>
        extends ProgressClosedWindows<V, KOut, VOut> {
    private final String windowStore;
    private KeyValueStore<String, A> store;

    protected ProgressWindowProcessor(final TimeWindows windows, final String windowStore, final String progressStore) {
        super(windows, progressStore);
        this.windowStore = windowStore;
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
        super.init(context);
        this.store = context.getStateStore(windowStore);
        ObjectCachedStore.reloadOnNextUse(store);
    }

    /** A new, empty aggregate. */
    protected abstract A initial();

    /** Adds {@code value} (under {@code key}) to {@code aggregate}, returning it. */
    protected abstract A add(String key, V value, A aggregate);

    /** A window closed with its final aggregate. */
    protected abstract void closed(Windowed<String> window, A aggregate);

    @Override
    protected void count(final Record<String, V> record) {
        final V v = record.value();
        for (final Map.Entry<Long, TimeWindow> w : windowsOf(record).entrySet()) {
            final long end = w.getValue().end();
            if (!counts(end, v)) {
                late(v);
                continue;
            }
            final String key = key(end, w.getKey(), record.key());
            final A before = store.get(key);
            store.put(key, add(record.key(), v, before == null ? initial() : before));
        }
    }

    @Override
    protected void closeEnded(final long after, final long through) {
        // Nothing ends at or before what was closed (such records are late, not added), and
        // RocksDB skips the deletions of closed windows one by one until compaction: start there.
        final long from = after == SourceProgress.NONE ? 0 : after + 1;
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
    }

    private static String key(final long end, final long start, final String key) {
        return pad(end) + "|" + pad(start) + "|" + key;
    }
}
