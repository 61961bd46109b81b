package dev.vigil.stream;

import dev.vigil.aggregate.DistinctCounter;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Distinct-account sets survive the changelog, in the packed form and in the older array form. */
class PackedLongsTest {
    private final JsonSerde<DistinctCounter> serde = new JsonSerde<>(DistinctCounter.class);

    @Test
    void shouldRestoreTheSameAccountsFromThePackedForm() {
        final DistinctCounter counter = new DistinctCounter();
        for (final long hash : List.of(Long.MIN_VALUE, -7L, 0L, 42L, Long.MAX_VALUE)) {
            counter.add(hash, 100);
        }
        final byte[] bytes = serde.serializer().serialize("changelog", counter);
        final DistinctCounter restored = serde.deserializer().deserialize("changelog", bytes);

        assertEquals(counter.exact, restored.exact);
        assertEquals(5, restored.count());
        final String json = new String(bytes, StandardCharsets.UTF_8);
        assertTrue(json.contains("\"exact\":\"gAAAAAAAAAD/"), "packed, eight bytes a hash in base64: " + json);
    }

    @Test
    void shouldReadStateWrittenAsAnArrayByEarlierVersions() {
        final byte[] old = "{\"exact\":[-7,0,42],\"registers\":null}".getBytes(StandardCharsets.UTF_8);
        assertEquals(new TreeSet<>(List.of(-7L, 0L, 42L)), serde.deserializer().deserialize("changelog", old).exact);
    }
}
