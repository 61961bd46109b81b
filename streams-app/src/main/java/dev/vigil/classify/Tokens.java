package dev.vigil.classify;

/**
 * The one normalisation and tokenisation pass shared by every head: lower case, contractions
 * expanded ("don't" and Reddit's "dont" both become "do not"), URLs and numbers folded, negation
 * scope and quoted spans marked. Tokens are kept as 64-bit hashes, never as strings, so a message
 * is tokenised without allocating; one instance is reused per thread.
 */
final class Tokens {
    /** Longer messages are read up to this many tokens: enough for every cue we look for. */
    static final int MAX_TOKENS = 1024;

    static final byte NEGATED = 1;
    static final byte QUOTED = 2;
    /** First token of a clause (after . , ; : ! ? or a line break). */
    static final byte CLAUSE_START = 4;

    static final long URL = hash("<url>");
    static final long NUM = hash("<num>");
    static final long NOT = hash("not");

    final long[] hash = new long[MAX_TOKENS];
    final byte[] flags = new byte[MAX_TOKENS];
    /** Value of a folded number token (NaN for other tokens). */
    final double[] number = new double[MAX_TOKENS];
    int count;
    /** Tokens seen, including those beyond {@link #MAX_TOKENS}. */
    int totalTokens;
    int questionMarks;
    int exclamations;

    private final char[] word = new char[64];
    private int wordLength;
    private boolean quoted;
    private boolean clauseStart;
    private int negationLeft;

    /** Number of tokens a negator's scope reaches, unless a clause ends first. */
    private static final int NEGATION_SCOPE = 3;

    /** ASCII fast path: the lower-case form of a letter or digit, 0 for anything else. */
    private static final char[] ASCII_WORD = asciiWord();

    private static char[] asciiWord() {
        final char[] t = new char[128];
        for (char c = 0; c < 128; c++) {
            t[c] = Character.isLetterOrDigit(c) ? Character.toLowerCase(c) : 0;
        }
        return t;
    }

    private static final LongSet NEGATORS = LongSet.of("not", "no", "never", "nothing", "nobody", "none",
            "neither", "nor", "nowhere", "without", "hardly", "barely", "cannot");
    /** "not just", "not only": "not" followed by one of these adds rather than denies. */
    private static final LongSet ADDITIVE = LongSet.of("just", "only", "merely", "simply");
    /** Words after which a negation no longer reaches: "but ...", and "can't stop thinking about ...". */
    private static final LongSet SCOPE_BREAKERS = LongSet.of("but", "however", "although", "though", "yet", "stop", "hesitate",
            "help");

    Tokens() {
    }

    /** Tokenises {@code text}, replacing whatever this instance held. */
    Tokens read(final CharSequence text) {
        count = 0;
        totalTokens = 0;
        questionMarks = 0;
        exclamations = 0;
        wordLength = 0;
        quoted = false;
        clauseStart = true;
        negationLeft = 0;
        final int n = text.length();
        int i = 0;
        while (i < n) {
            final char c = text.charAt(i);
            if (wordLength == 0 && (c == 'h' || c == 'H' || c == 'w' || c == 'W') && startsUrl(text, i)) {
                while (i < n && !Character.isWhitespace(text.charAt(i))) {
                    i++;
                }
                emit(URL, Double.NaN);
                continue;
            }
            final char lower = c < 128 ? ASCII_WORD[c] : Character.isLetterOrDigit(c) ? Character.toLowerCase(c) : 0;
            if (lower != 0) {
                if (wordLength < word.length) {
                    word[wordLength++] = lower;
                }
            } else if ((c == '\'' || c == '\u2019') && wordLength > 0 && i + 1 < n
                    && Character.isLetter(text.charAt(i + 1))) {
                if (wordLength < word.length) {
                    word[wordLength++] = '\'';
                }
            } else if ((c == '.' || c == ',') && wordLength > 0 && isDigits() && i + 1 < n
                    && Character.isDigit(text.charAt(i + 1))) {
                // 1,500 and 2.5 stay one number
                if (wordLength < word.length) {
                    word[wordLength++] = c == ',' ? '\0' : '.';
                }
            } else {
                flushWord();
                punctuation(c);
            }
            i++;
        }
        flushWord();
        return this;
    }

    private static boolean startsUrl(final CharSequence t, final int i) {
        return regionMatches(t, i, "http://") || regionMatches(t, i, "https://") || regionMatches(t, i, "www.");
    }

    private static boolean regionMatches(final CharSequence t, final int i, final String s) {
        if (i + s.length() > t.length()) {
            return false;
        }
        for (int k = 0; k < s.length(); k++) {
            if (Character.toLowerCase(t.charAt(i + k)) != s.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private boolean isDigits() {
        return isDigits(wordLength);
    }

    private boolean isDigits(final int len) {
        for (int k = 0; k < len; k++) {
            final char c = word[k];
            if (!(c >= '0' && c <= '9') && c != '.' && c != '\0') {
                return false;
            }
        }
        return true;
    }

    private void punctuation(final char c) {
        switch (c) {
            case '?' -> {
                questionMarks++;
                endClause();
            }
            case '!' -> {
                exclamations++;
                endClause();
            }
            case '.', ',', ';', ':', '\n', '(', ')', '\u2026' -> endClause();
            case '"', '\u201c', '\u201d' -> {
                quoted = c == '\u201c' || (c == '"' && !quoted);
                if (c == '\u201d') {
                    quoted = false;
                }
                endClause();
            }
            default -> {
            }
        }
    }

    private void endClause() {
        clauseStart = true;
        negationLeft = 0;
    }

    private void flushWord() {
        if (wordLength == 0) {
            return;
        }
        final int len = wordLength;
        wordLength = 0;
        if (isDigits(len)) {
            numberToken(len);
            return;
        }
        final int apos = indexOfApostrophe(len);
        if (apos < 0) {
            final long h = hash(word, 0, len);
            final long[] expansion = lookupContracted(h);
            if (expansion != null) {
                for (final long e : expansion) {
                    emit(e, Double.NaN);
                }
            } else {
                emit(h, Double.NaN);
            }
            return;
        }
        // contractions with an apostrophe
        if (len >= 3 && word[len - 1] == 't' && word[len - 2] == '\'' && word[len - 3] == 'n') {
            final long stem = hash(word, 0, len - 3);
            emit(STEM_FIX.getOrDefault(stem, stem), Double.NaN);
            emit(NOT, Double.NaN);
            return;
        }
        final long stem = hash(word, 0, apos);
        final long suffix = hash(word, apos + 1, len);
        final long expanded = SUFFIXES.getOrDefault(suffix, 0L);
        emit(stem, Double.NaN);
        if (expanded != 0L) {
            emit(expanded, Double.NaN);
        } else if (suffix == S && S_IS.contains(stem)) {
            emit(IS, Double.NaN);
        }
    }

    private void numberToken(final int len) {
        double v = 0;
        double scale = 0;
        for (int k = 0; k < len; k++) {
            final char c = word[k];
            if (c == '.') {
                scale = 1;
            } else if (c >= '0' && c <= '9') {
                if (scale > 0) {
                    scale /= 10;
                    v += (c - '0') * scale;
                } else {
                    v = v * 10 + (c - '0');
                }
            }
        }
        // Emergency and crisis numbers stay words: they are referral cues.
        if (v == 988 || v == 911 || v == 999 || v == 112 || v == 111 || v == 741741 || v == 116123) {
            emit(hash(word, 0, len), v);
        } else {
            emit(NUM, v);
        }
    }

    private int indexOfApostrophe(final int len) {
        for (int k = 0; k < len; k++) {
            if (word[k] == '\'') {
                return k;
            }
        }
        return -1;
    }

    private void emit(final long h, final double value) {
        totalTokens++;
        if (count >= MAX_TOKENS) {
            return;
        }
        byte f = 0;
        if (negationLeft > 0) {
            f |= NEGATED;
            negationLeft--;
        }
        if (quoted) {
            f |= QUOTED;
        }
        if (clauseStart) {
            f |= CLAUSE_START;
            clauseStart = false;
        }
        if (NEGATORS.contains(h)) {
            negationLeft = NEGATION_SCOPE;
        } else if (SCOPE_BREAKERS.contains(h)) {
            negationLeft = 0;
        }
        hash[count] = h;
        flags[count] = f;
        number[count] = value;
        count++;
    }

    boolean negated(final int i) {
        return (flags[i] & NEGATED) != 0;
    }

    /**
     * Whether token {@code i} is negated only by an additive "not just" or "not only": "not just
     * wishing I was dead" adds to what follows rather than denying it. The phrase layer reads
     * negation this way; the models' features keep the plain scope they were trained on.
     */
    boolean additiveNegation(final int i) {
        for (int k = i - 1; k >= 0 && k >= i - NEGATION_SCOPE; k--) {
            if (NEGATORS.contains(hash[k])) {
                // Only "not": "I'd never just end it all" is a denial.
                return hash[k] == NOT && ADDITIVE.contains(hash[k + 1]);
            }
        }
        return false;
    }

    boolean quoted(final int i) {
        return (flags[i] & QUOTED) != 0;
    }

    boolean clauseStart(final int i) {
        return (flags[i] & CLAUSE_START) != 0;
    }

    // --- hashing -------------------------------------------------------------------------

    /** FNV-1a over the characters, then a SplitMix finaliser; the same function for words and lexicons. */
    static long hash(final CharSequence s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    static long hash(final char[] s, final int from, final int to) {
        long h = 0xcbf29ce484222325L;
        for (int i = from; i < to; i++) {
            if (s[i] == '\0') {
                continue;
            }
            h ^= s[i];
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    static long mix(final long z0) {
        long z = z0;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    // --- contractions --------------------------------------------------------------------

    private static final long S = hash("s");
    private static final long IS = hash("is");
    private static final LongSet S_IS = LongSet.of("it", "that", "he", "she", "there", "what", "here", "who",
            "where", "how", "everything", "nothing", "life");
    private static final LongLongMap SUFFIXES = LongLongMap.of("m", "am", "re", "are", "ve", "have", "ll", "will",
            "d", "would");
    private static final LongLongMap STEM_FIX = LongLongMap.of("ca", "can", "wo", "will", "sha", "shall", "ai", "is");

    private static final String[][] CONTRACTED_WORDS = {
        {"dont", "do", "not"}, {"cant", "can", "not"}, {"wont", "will", "not"}, {"didnt", "did", "not"},
        {"doesnt", "does", "not"}, {"isnt", "is", "not"}, {"wasnt", "was", "not"}, {"arent", "are", "not"},
        {"werent", "were", "not"}, {"couldnt", "could", "not"}, {"wouldnt", "would", "not"},
        {"shouldnt", "should", "not"}, {"havent", "have", "not"}, {"hasnt", "has", "not"},
        {"hadnt", "had", "not"}, {"aint", "is", "not"}, {"cannot", "can", "not"}, {"im", "i", "am"},
        {"ive", "i", "have"}, {"youre", "you", "are"}, {"theyre", "they", "are"}, {"thats", "that", "is"},
        {"whats", "what", "is"}, {"wanna", "want", "to"}, {"gonna", "going", "to"}, {"gotta", "got", "to"},
        {"idk", "i", "do", "not", "know"}, {"u", "you"}, {"ur", "your"}, {"kms", "kill", "myself"},
        {"ima", "i", "am", "going", "to"}, {"imma", "i", "am", "going", "to"},
    };

    private static long[] lookupContracted(final long h) {
        final long row = CONTRACTED_INDEX.getOrDefault(h, 0L);
        return row == 0L ? null : EXPANSIONS[(int) row - 1];
    }

    /** Contracted word to its row in {@link #EXPANSIONS}, plus one (0 means absent). */
    private static final LongLongMap CONTRACTED_INDEX = contractedIndex();

    private static LongLongMap contractedIndex() {
        final long[] k = new long[CONTRACTED_WORDS.length];
        final long[] v = new long[k.length];
        for (int i = 0; i < k.length; i++) {
            k[i] = hash(CONTRACTED_WORDS[i][0]);
            v[i] = i + 1;
        }
        return new LongLongMap(k, v);
    }

    private static final long[][] EXPANSIONS = expansions();

    private static long[][] expansions() {
        final long[][] out = new long[CONTRACTED_WORDS.length][];
        for (int i = 0; i < CONTRACTED_WORDS.length; i++) {
            final String[] row = CONTRACTED_WORDS[i];
            out[i] = new long[row.length - 1];
            for (int k = 1; k < row.length; k++) {
                out[i][k - 1] = hash(row[k]);
            }
        }
        return out;
    }

    /** For tests and debugging only: the tokens of {@code text} as words (allocates). */
    static String describe(final String text, final java.util.function.LongFunction<String> names) {
        final Tokens t = new Tokens().read(text);
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < t.count; i++) {
            if (i > 0) {
                b.append(' ');
            }
            if (t.negated(i)) {
                b.append('~');
            }
            b.append(names.apply(t.hash[i]));
        }
        return b.toString();
    }
}
