package dev.vigil.abuse;

import dev.vigil.stream.JsonSerde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The merger's campaign view answers exactly what a scan of the campaign store in key order did. */
class CampaignIndexTest {

    @Test
    void shouldFindTheSameCampaignAsAScanOfTheStoreInKeyOrder() {
        final Random random = new Random(11);
        final KeyValueStore<String, Campaign> store = open();
        final CampaignIndex index = CampaignIndex.load(store);
        final List<Long> prints = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            final Campaign c = new Campaign();
            c.id = String.format("campaign-%04d", random.nextInt(10_000));
            for (int f = 0; f < 1 + random.nextInt(4); f++) {
                final long print = random.nextLong();
                c.fingerprints.add(print);
                prints.add(print);
            }
            c.lastSeen = i;
            index.put(c);
        }
        int found = 0;
        for (int q = 0; q < 2_000; q++) {
            // Queries near known fingerprints (0 to 5 bits away) and unrelated ones.
            long print = q % 4 == 0 ? random.nextLong() : prints.get(random.nextInt(prints.size()));
            for (int flips = random.nextInt(6); flips > 0; flips--) {
                print ^= 1L << random.nextInt(64);
            }
            final List<Member> cluster = List.of(member(print), member(random.nextLong()));
            final Campaign expected = scan(store, cluster, 3);
            final Campaign actual = index.findActive(cluster, 3);
            assertEquals(expected == null ? null : expected.id, actual == null ? null : actual.id, "query " + q);
            found += actual == null ? 0 : 1;
        }
        assertEquals(true, found > 500, "the queries must exercise matches, found " + found);
    }

    @Test
    void shouldForgetADeletedCampaignAndReadAStoreItDidNotWrite() {
        final KeyValueStore<String, Campaign> store = open();
        final Campaign c = new Campaign();
        c.id = "campaign-a";
        c.fingerprints.add(0x1234_5678_9abc_def0L);
        c.lastSeen = 100;
        store.put(c.id, c);

        final CampaignIndex index = CampaignIndex.load(store);
        assertNotNull(index.findActive(List.of(member(0x1234_5678_9abc_def1L)), 3), "loaded from the store");
        assertEquals(List.of("campaign-a"), index.quietSince(101).stream().map(x -> x.id).toList());
        assertEquals(List.of(), index.quietSince(100));

        index.delete(c);
        assertNull(index.findActive(List.of(member(0x1234_5678_9abc_def1L)), 3));
        assertNull(store.get("campaign-a"), "deleted from the store too");
        assertEquals(0, index.size());
    }

    private static Campaign scan(final KeyValueStore<String, Campaign> store, final List<Member> cluster, final int h) {
        try (KeyValueIterator<String, Campaign> it = store.all()) {
            while (it.hasNext()) {
                final KeyValue<String, Campaign> e = it.next();
                if (e.value.matches(cluster, h)) {
                    return e.value;
                }
            }
        }
        return null;
    }

    private static Member member(final long simhash) {
        final Member m = new Member();
        m.simhash = simhash;
        m.account = "acct";
        return m;
    }

    private static KeyValueStore<String, Campaign> open() {
        final KeyValueStore<String, Campaign> store = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("campaigns"), Serdes.String(), new JsonSerde<>(Campaign.class))
                .withLoggingDisabled().build();
        final MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
        return store;
    }
}
