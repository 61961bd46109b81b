package dev.vigil.classify;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The VADER lexicon (word valence -4..+4) with VADER's main heuristics: negation flips and
 * damps, boosters ("very", "extremely") and dampeners ("slightly") shift the next word, and
 * "but" weights what follows it over what precedes it. Its scores feed the sentiment model as
 * dense features; the lexicon file and its licence notice live beside this class.
 */
final class SentimentLexicon {
    static final String RESOURCE = "vader_lexicon.txt";

    private final LongLongMap valence;
    private final LongLongMap booster;
    private final long contentHash;

    private static final long BUT = Tokens.hash("but");
    /** VADER's negation scalar. */
    private static final double NEGATION = -0.74;
    /** VADER's booster increment. */
    private static final double BOOST = 0.293;

    /** Sums over a message, in VADER's units. */
    static final class Score {
        double positive;
        double negative;
        int hits;

        double compound() {
            final double sum = positive + negative;
            return sum / Math.sqrt(sum * sum + 15.0);
        }

        void clear() {
            positive = 0;
            negative = 0;
            hits = 0;
        }
    }

    private SentimentLexicon(final LongLongMap valence, final LongLongMap booster, final long contentHash) {
        this.valence = valence;
        this.booster = booster;
        this.contentHash = contentHash;
    }

    static SentimentLexicon load() {
        try (InputStream in = SentimentLexicon.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing class-path resource " + RESOURCE);
            }
            return read(in);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SentimentLexicon read(final InputStream in) throws IOException {
        final List<Long> keys = new ArrayList<>();
        final List<Long> values = new ArrayList<>();
        long content = 0xcbf29ce484222325L;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                final String[] cols = line.split("\t");
                if (cols.length < 2) {
                    continue;
                }
                content = Tokens.mix(content ^ Tokens.hash(line));
                final String token = cols[0].trim();
                // Only words the tokeniser can produce: emoticons and punctuation never arrive.
                if (token.isEmpty() || !token.chars().allMatch(Character::isLetterOrDigit)) {
                    continue;
                }
                keys.add(Tokens.hash(token));
                values.add(Double.doubleToLongBits(Double.parseDouble(cols[1])));
            }
        }
        final long[] k = keys.stream().mapToLong(Long::longValue).toArray();
        final long[] v = values.stream().mapToLong(Long::longValue).toArray();
        final String[] boosters = {"absolutely", "amazingly", "awfully", "completely", "considerably",
            "decidedly", "deeply", "enormously", "entirely", "especially", "exceptionally", "extremely",
            "fabulously", "greatly", "highly", "hugely", "incredibly", "intensely", "majorly", "more", "most",
            "particularly", "purely", "quite", "really", "remarkably", "so", "substantially", "thoroughly",
            "totally", "tremendously", "uber", "unbelievably", "unusually", "utterly", "very"};
        final String[] dampeners = {"almost", "barely", "hardly", "kind", "less", "little", "marginally",
            "occasionally", "partly", "scarcely", "slightly", "somewhat", "sort"};
        final long[] bk = new long[boosters.length + dampeners.length];
        final long[] bv = new long[bk.length];
        for (int i = 0; i < boosters.length; i++) {
            bk[i] = Tokens.hash(boosters[i]);
            bv[i] = Double.doubleToLongBits(BOOST);
        }
        for (int i = 0; i < dampeners.length; i++) {
            bk[boosters.length + i] = Tokens.hash(dampeners[i]);
            bv[boosters.length + i] = Double.doubleToLongBits(-BOOST);
        }
        return new SentimentLexicon(new LongLongMap(k, v), new LongLongMap(bk, bv), content);
    }

    /** Hash of the lexicon's content, part of the classifier version. */
    long contentHash() {
        return contentHash;
    }

    /** Valence of a token, or 0 if it is not in the lexicon. */
    double valence(final long token) {
        final long bits = valence.getOrDefault(token, 0L);
        return bits == 0L ? 0.0 : Double.longBitsToDouble(bits);
    }

    /** Scores {@code t} into {@code out}. */
    void score(final Tokens t, final Score out) {
        out.clear();
        int butAt = -1;
        for (int i = 0; i < t.count; i++) {
            if (t.hash[i] == BUT) {
                butAt = i;
            }
        }
        for (int i = 0; i < t.count; i++) {
            double v = valence(t.hash[i]);
            if (v == 0.0) {
                continue;
            }
            if (i > 0) {
                final long b = booster.getOrDefault(t.hash[i - 1], 0L);
                if (b != 0L) {
                    final double inc = Double.longBitsToDouble(b);
                    v += v > 0 ? inc : -inc;
                }
            }
            if (t.negated(i)) {
                v *= NEGATION;
            }
            if (butAt >= 0) {
                v *= i < butAt ? 0.5 : 1.5;
            }
            if (v > 0) {
                out.positive += v;
            } else {
                out.negative += v;
            }
            out.hits++;
        }
    }
}
