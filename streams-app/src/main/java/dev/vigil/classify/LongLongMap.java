package dev.vigil.classify;

/** An immutable open-addressing map from token hash to a long (another hash, or a float's bits). */
final class LongLongMap {
    private final long[] keys;
    private final long[] values;
    private final int mask;

    LongLongMap(final long[] k, final long[] v) {
        int cap = 4;
        while (cap < k.length * 3) {
            cap <<= 1;
        }
        keys = new long[cap];
        values = new long[cap];
        mask = cap - 1;
        for (int j = 0; j < k.length; j++) {
            int i = (int) k[j] & mask;
            while (keys[i] != 0L && keys[i] != k[j]) {
                i = (i + 1) & mask;
            }
            keys[i] = k[j];
            values[i] = v[j];
        }
    }

    /** Pairs of words: key, value, key, value... */
    static LongLongMap of(final String... pairs) {
        final long[] k = new long[pairs.length / 2];
        final long[] v = new long[pairs.length / 2];
        for (int i = 0; i < k.length; i++) {
            k[i] = Tokens.hash(pairs[2 * i]);
            v[i] = Tokens.hash(pairs[2 * i + 1]);
        }
        return new LongLongMap(k, v);
    }

    long getOrDefault(final long key, final long fallback) {
        int i = (int) key & mask;
        while (true) {
            final long s = keys[i];
            if (s == key) {
                return values[i];
            }
            if (s == 0L) {
                return fallback;
            }
            i = (i + 1) & mask;
        }
    }
}
