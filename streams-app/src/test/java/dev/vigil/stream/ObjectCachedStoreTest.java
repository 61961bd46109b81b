package dev.vigil.stream;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.WrappedStateStore;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The object cache must hand its changes to the changelogged store in every commit. Kafka
 * Streams' commit calls {@code flushCache()} on the stores (under exactly-once {@code flush()} runs
 * only on suspend or close), so a change left in the cache at a commit is lost by a kill -9.
 */
class ObjectCachedStoreTest {

    @Test
    void shouldWriteChangedValuesDownWhenACommitFlushesTheCaches() {
        final ObjectCachedStore<String> store = open();
        store.put("cell-a", "3 accounts");
        store.put("cell-b", "5 accounts");
        store.delete("cell-b");

        assertNull(underneath(store).get("cell-a"), "nothing is written before the commit");
        store.flushCache();

        assertEquals("3 accounts", underneath(store).get("cell-a"));
        assertNull(underneath(store).get("cell-b"));
    }

    @Test
    void shouldReadWhatTheStoreUnderneathHoldsAfterReloading() {
        final ObjectCachedStore<String> store = open();
        store.put("cell-a", "3 accounts");
        store.flushCache();
        // Restoration (or a standby) writes straight into the store underneath.
        underneath(store).put("cell-a", "4 accounts");
        ObjectCachedStore.reloadOnNextUse(store);

        assertEquals("4 accounts", store.get("cell-a"));
    }

    @Test
    void shouldKeepEveryValueWhenTheCacheIsFullAndEvictsTheLeastRecentlyUsed() {
        // Room for three one-unit values: the rest go down to the store as they are evicted.
        final ObjectCachedStore<String> store = open(3);
        for (int i = 0; i < 10; i++) {
            store.put("bucket-" + i, "members " + i);
        }
        assertEquals("members 0", underneath(store).get("bucket-0"), "an evicted change is written down");
        assertNull(underneath(store).get("bucket-9"), "a cached change waits for the commit");

        store.delete("bucket-2");
        store.put("bucket-0", store.get("bucket-0") + " and one more");
        final List<String> scanned = new ArrayList<>();
        try (KeyValueIterator<String, String> it = store.range("bucket-0", "bucket-5")) {
            it.forEachRemaining(kv -> scanned.add(kv.key + "=" + kv.value));
        }
        assertEquals(List.of("bucket-0=members 0 and one more", "bucket-1=members 1", "bucket-3=members 3",
                "bucket-4=members 4", "bucket-5=members 5"), scanned);
        assertNull(store.get("bucket-2"));
        store.flushCache();
        assertEquals("members 9", underneath(store).get("bucket-9"));
        assertNull(underneath(store).get("bucket-2"));
    }

    private static ObjectCachedStore<String> open() {
        return open(1_000);
    }

    private static ObjectCachedStore<String> open(final long maxWeight) {
        final ObjectCachedStore<String> store = ObjectCachedStore.builder(
                Stores.inMemoryKeyValueStore("cells"), Serdes.String(), v -> 1, maxWeight).withLoggingDisabled().build();
        final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
        return store;
    }

    @SuppressWarnings("unchecked")
    private static KeyValueStore<String, String> underneath(final ObjectCachedStore<String> store) {
        return ((WrappedStateStore<KeyValueStore<String, String>, String, String>) store).wrapped();
    }
}
