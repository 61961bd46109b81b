package dev.vigil.classify;

import java.util.Arrays;

/** An immutable open-addressing set of token hashes: membership without boxing. */
final class LongSet {
    private final long[] slots;
    private final int mask;
    private final int size;

    private LongSet(final long[] values) {
        int cap = 4;
        while (cap < values.length * 3) {
            cap <<= 1;
        }
        slots = new long[cap];
        mask = cap - 1;
        int n = 0;
        for (final long v : values) {
            if (v == 0L) {
                continue;
            }
            int i = (int) v & mask;
            while (slots[i] != 0L && slots[i] != v) {
                i = (i + 1) & mask;
            }
            if (slots[i] == 0L) {
                n++;
            }
            slots[i] = v;
        }
        size = n;
    }

    static LongSet of(final String... words) {
        return ofHashes(Arrays.stream(words).mapToLong(Tokens::hash).toArray());
    }

    static LongSet ofHashes(final long[] hashes) {
        return new LongSet(hashes);
    }

    boolean contains(final long v) {
        int i = (int) v & mask;
        while (true) {
            final long s = slots[i];
            if (s == v) {
                return true;
            }
            if (s == 0L) {
                return false;
            }
            i = (i + 1) & mask;
        }
    }

    int size() {
        return size;
    }
}
