package dev.vigil.classify;

import java.util.Arrays;

/** Per-message counts of {@link Cue}s and where each first matched; reused per thread. */
final class CueHits {
    private static final Cue[] CUES = Cue.values();
    final int[] count = new int[CUES.length];
    final int[] first = new int[CUES.length];

    void clear() {
        Arrays.fill(count, 0);
        Arrays.fill(first, Integer.MAX_VALUE);
    }

    void add(final Cue cue, final int position) {
        final int o = cue.ordinal();
        count[o]++;
        if (position < first[o]) {
            first[o] = position;
        }
    }

    boolean has(final Cue cue) {
        return count[cue.ordinal()] > 0;
    }

    int count(final Cue cue) {
        return count[cue.ordinal()];
    }

    int first(final Cue cue) {
        return first[cue.ordinal()];
    }
}
