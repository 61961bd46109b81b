package dev.vigil.stream;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * A write-back cache of live objects in front of a changelogged key-value store: values are
 * read from the store underneath once, changed in place, and written back (serialised) only in
 * each commit or when evicted.
 *
 * <p>Why: a window aggregate is updated by every record (each contribution touches five cells in
 * nine overlapping windows; each sighting its band bucket in four), and Kafka Streams' own cache
 * holds serialised bytes, so every update parsed and rewrote the whole accumulator (a cell's
 * distinct-account set, a bucket's members): most of the CPU in the profiles. Here an update is
 * a map lookup, and each changed value is serialised once per commit. The write runs inside the
 * commit ({@link #flushCache}), before the transaction commits, so the changelog holds exactly
 * the state of the committed input offsets (exactly-once holds).
 *
 * <p>The cache is bounded by weight ({@code weigher}, e.g. the number of accounts or members a
 * value holds): past {@code maxWeight} the least recently used values are written down (if
 * changed) and dropped, to be read again on their next use. Range scans first write every
 * change down and then read the store underneath, so they see everything in key order.
 * Callers may change a value they got and must put it back to mark it changed.
 */
public final class ObjectCachedStore<V> extends WrappedStateStore<KeyValueStore<String, V>, String, V>
        implements KeyValueStore<String, V> {
    /** A cached value and its weight when it was last put or read. */
    private record Cached<V>(V value, long weight) {
    }

    private final ToLongFunction<V> weigher;
    private final long maxWeight;
    /** Access-ordered, so the eldest entry is the least recently used. */
    private final LinkedHashMap<String, Cached<V>> cache = new LinkedHashMap<>(1024, 0.75f, true);
    /** Keys changed since they were last written down; a dirty key not in {@link #cache} was deleted. */
    private final Set<String> dirty = new HashSet<>();
    private long weight;
    private StateStoreContext context;

    private ObjectCachedStore(final KeyValueStore<String, V> inner, final ToLongFunction<V> weigher, final long maxWeight) {
        super(inner);
        this.weigher = weigher;
        this.maxWeight = maxWeight;
    }

    /**
     * Changelog topic settings of these stores. A changed entry is written whole at every commit
     * (an aggregate cell with its exact account set, a bucket with its members), so the changelog
     * grows by megabytes a minute while the live state stays small. Compaction keeps only the
     * last value of each key, but never touches the active segment: with the broker's default
     * 1 GiB segments the one-hour demo's data folder passed 1 GB in 8 minutes. Small segments let
     * the log cleaner bound each partition to about a segment plus the live state.
     */
    public static final Map<String, String> CHANGELOG_CONFIG = Map.of(
            org.apache.kafka.common.config.TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(16 * 1024 * 1024),
            org.apache.kafka.common.config.TopicConfig.SEGMENT_MS_CONFIG, String.valueOf(10 * 60 * 1000));

    /** The builder to add to a topology: a changelogged (not byte-cached) store under the object cache. */
    public static <V> StoreBuilder<ObjectCachedStore<V>> builder(final KeyValueBytesStoreSupplier supplier,
                                                                  final Serde<V> serde, final ToLongFunction<V> weigher,
                                                                  final long maxWeight) {
        final StoreBuilder<KeyValueStore<String, V>> inner = Stores.keyValueStoreBuilder(supplier, Serdes.String(), serde);
        return new StoreBuilder<>() {
            private boolean logging = true;
            private Map<String, String> logConfig = new HashMap<>(CHANGELOG_CONFIG);

            @Override
            public StoreBuilder<ObjectCachedStore<V>> withCachingEnabled() {
                return this;
            }

            @Override
            public StoreBuilder<ObjectCachedStore<V>> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<ObjectCachedStore<V>> withLoggingEnabled(final Map<String, String> config) {
                logging = true;
                logConfig = new HashMap<>(CHANGELOG_CONFIG);
                logConfig.putAll(config);
                return this;
            }

            @Override
            public StoreBuilder<ObjectCachedStore<V>> withLoggingDisabled() {
                logging = false;
                return this;
            }

            @Override
            public ObjectCachedStore<V> build() {
                final StoreBuilder<KeyValueStore<String, V>> b = logging
                        ? inner.withLoggingEnabled(logConfig) : inner.withLoggingDisabled();
                return new ObjectCachedStore<>(b.withCachingDisabled().build(), weigher, maxWeight);
            }

            @Override
            public Map<String, String> logConfig() {
                return logConfig;
            }

            @Override
            public boolean loggingEnabled() {
                return logging;
            }

            @Override
            public String name() {
                return supplier.name();
            }
        };
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        this.context = context;
        forget();
        super.init(context, root);
    }

    /**
     * Makes the object-cached store behind {@code store} (as a processor gets it, wrapped by Kafka
     * Streams) read the store underneath again on its next use. A processor calls it from its own
     * init: a task that was a standby (fed straight into the store underneath) and becomes active
     * keeps its open store, so values held from an earlier active period would be stale. Changes
     * are never pending then: suspending a task writes them down.
     */
    public static void reloadOnNextUse(final StateStore store) {
        StateStore s = store;
        while (s instanceof WrappedStateStore<?, ?, ?> w && !(s instanceof ObjectCachedStore<?>)) {
            s = w.wrapped();
        }
        if (s instanceof ObjectCachedStore<?> c) {
            c.forget();
        }
    }

    private void forget() {
        cache.clear();
        dirty.clear();
        weight = 0;
    }

    @Override
    public V get(final String key) {
        final Cached<V> hit = cache.get(key);
        if (hit != null) {
            return hit.value();
        }
        if (dirty.contains(key)) {
            return null; // deleted, not yet written down
        }
        final V value = wrapped().get(key);
        if (value != null) {
            hold(key, value);
            evict(key);
        }
        return value;
    }

    @Override
    public void put(final String key, final V value) {
        if (value == null) {
            delete(key);
            return;
        }
        hold(key, value);
        dirty.add(key);
        evict(key);
    }

    @Override
    public V putIfAbsent(final String key, final V value) {
        final V existing = get(key);
        if (existing == null) {
            put(key, value);
        }
        return existing;
    }

    @Override
    public void putAll(final List<KeyValue<String, V>> entries) {
        entries.forEach(e -> put(e.key, e.value));
    }

    @Override
    public V delete(final String key) {
        final Cached<V> gone = cache.remove(key);
        final V old;
        if (gone != null) {
            weight -= gone.weight();
            old = gone.value();
        } else {
            // Not cached: read for the return value only, without caching what is being deleted.
            old = dirty.contains(key) ? null : wrapped().get(key);
        }
        dirty.add(key);
        return old;
    }

    @Override
    public KeyValueIterator<String, V> range(final String from, final String to) {
        writeDirty();
        try (KeyValueIterator<String, V> it = wrapped().range(from, to)) {
            return iterator(it);
        }
    }

    @Override
    public KeyValueIterator<String, V> all() {
        writeDirty();
        try (KeyValueIterator<String, V> it = wrapped().all()) {
            return iterator(it);
        }
    }

    @Override
    public <PS extends org.apache.kafka.common.serialization.Serializer<P>, P> KeyValueIterator<String, V> prefixScan(
            final P prefix, final PS prefixKeySerializer) {
        throw new UnsupportedOperationException("prefixScan is not used on Vigil's object-cached stores");
    }

    @Override
    public long approximateNumEntries() {
        writeDirty();
        return wrapped().approximateNumEntries();
    }

    /**
     * Writes the changed values to the changelogged store. Kafka Streams calls this, not
     * {@link #flush}, in every commit before the transaction commits: under exactly-once
     * {@code flush} runs only when a task is suspended or closed, so a kill -9 would lose every
     * change since the last rebalance (seen as differing aggregates after a crash).
     */
    @Override
    public void flushCache() {
        writeDirty();
        super.flushCache();
    }

    /** Called when a task is suspended, closed or checkpointed; the changes go down first. */
    @Override
    public void flush() {
        writeDirty();
        super.flush();
    }

    @Override
    public void close() {
        forget();
        super.close();
    }

    private void hold(final String key, final V value) {
        final long w = Math.max(1, weigher.applyAsLong(value));
        final Cached<V> previous = cache.put(key, new Cached<>(value, w));
        weight += w - (previous == null ? 0 : previous.weight());
    }

    /** Drops least recently used values (never {@code keep}) until the cache is within its weight. */
    private void evict(final String keep) {
        if (weight <= maxWeight) {
            return;
        }
        final Iterator<Map.Entry<String, Cached<V>>> it = cache.entrySet().iterator();
        while (weight > maxWeight && it.hasNext()) {
            final Map.Entry<String, Cached<V>> eldest = it.next();
            if (eldest.getKey().equals(keep)) {
                continue;
            }
            if (dirty.remove(eldest.getKey())) {
                writeDown(List.of(KeyValue.pair(eldest.getKey(), eldest.getValue().value())));
            }
            weight -= eldest.getValue().weight();
            it.remove();
        }
    }

    private void writeDirty() {
        if (dirty.isEmpty()) {
            return;
        }
        final List<KeyValue<String, V>> changes = new ArrayList<>(dirty.size());
        for (final String key : dirty) {
            final Cached<V> c = cache.get(key);
            changes.add(KeyValue.pair(key, c == null ? null : c.value()));
        }
        writeDown(changes);
        dirty.clear();
    }

    /** Puts (or, for a null value, deletes) {@code changes} in the changelogged store. */
    private void writeDown(final List<KeyValue<String, V>> changes) {
        final InternalProcessorContext<?, ?> internal = context instanceof InternalProcessorContext<?, ?> c ? c : null;
        final ProcessorRecordContext previous = internal == null ? null : internal.recordContext();
        try {
            if (internal != null) {
                // Changelog records need a record context; in a commit there is none.
                internal.setRecordContext(new ProcessorRecordContext(
                        previous == null ? 0 : previous.timestamp(), -1, -1, null, new RecordHeaders()));
            }
            for (final KeyValue<String, V> change : changes) {
                if (change.value == null) {
                    wrapped().delete(change.key);
                } else {
                    wrapped().put(change.key, change.value);
                }
            }
        } finally {
            if (internal != null) {
                internal.setRecordContext(previous);
            }
        }
    }

    /** A copy of the scan, with values this cache holds (possibly changed in place) in place of stored ones. */
    private KeyValueIterator<String, V> iterator(final KeyValueIterator<String, V> scan) {
        final List<KeyValue<String, V>> copy = new ArrayList<>();
        while (scan.hasNext()) {
            final KeyValue<String, V> e = scan.next();
            final Cached<V> c = cache.get(e.key);
            copy.add(c == null ? e : KeyValue.pair(e.key, c.value()));
        }
        return iterator(copy);
    }

    private static <V> KeyValueIterator<String, V> iterator(final List<KeyValue<String, V>> copy) {
        final Iterator<KeyValue<String, V>> it = copy.iterator();
        return new KeyValueIterator<>() {
            private KeyValue<String, V> next;

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public KeyValue<String, V> next() {
                next = it.next();
                return next;
            }

            @Override
            public void close() {
            }

            @Override
            public String peekNextKey() {
                throw new UnsupportedOperationException("peekNextKey");
            }
        };
    }
}
