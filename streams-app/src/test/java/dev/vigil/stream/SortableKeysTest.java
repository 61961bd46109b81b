package dev.vigil.stream;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Store keys written before the formatter was replaced must still be found: same text, same order. */
class SortableKeysTest {

    @Test
    void shouldWriteExactlyWhatStringFormatWrote() {
        for (final long v : List.of(0L, 7L, 1_767_225_600_000L, Long.MAX_VALUE)) {
            assertEquals(String.format(Locale.ROOT, "%019d", v), SortableKeys.time(v));
        }
        assertEquals(String.format(Locale.ROOT, "%019d", 0), SortableKeys.time(-1), "negative times clamp to 0");
        for (final long v : List.of(0L, 0xabcL, -1L, Long.MIN_VALUE, 0x0123456789abcdefL)) {
            assertEquals(String.format(Locale.ROOT, "%016x", v), SortableKeys.hex(v, 16));
        }
        for (final int bits : List.of(0, 0xf, 0x3fa0, 0xffff)) {
            assertEquals(String.format(Locale.ROOT, "%04x", bits), SortableKeys.hex(bits, 4));
        }
    }
}
