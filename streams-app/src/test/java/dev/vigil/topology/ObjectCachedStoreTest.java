package dev.vigil.topology;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.WrappedStateStore;
import org.junit.jupiter.api.Test;

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

    private static ObjectCachedStore<String> open() {
        final ObjectCachedStore<String> store = ObjectCachedStore.builder(
                Stores.inMemoryKeyValueStore("cells"), Serdes.String()).withLoggingDisabled().build();
        final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
        return store;
    }

    @SuppressWarnings("unchecked")
    private static KeyValueStore<String, String> underneath(final ObjectCachedStore<String> store) {
        return ((WrappedStateStore<KeyValueStore<String, String>, String, String>) store).wrapped();
    }
}
