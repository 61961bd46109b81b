package dev.vigil.classify;

import opennlp.tools.langdetect.Language;
import opennlp.tools.langdetect.LanguageDetectorME;
import opennlp.tools.langdetect.LanguageDetectorModel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Language of a conversation, detected once with OpenNLP's language detector (Apache-2.0 model
 * from Maven Central) and remembered in a bounded LRU cache keyed by conversation id: detection
 * costs far more than all classification heads together, and a conversation rarely changes
 * language. Very short openings ("hi") are pooled with the next messages until there is enough text.
 *
 * <p>A cheap first pass runs before OpenNLP: a message whose opening is plain ASCII and dense with
 * function words that only English uses among the detector's common languages ("the", "you",
 * "with", "what") is English without the detector. OpenNLP costs about 90 microseconds a call
 * (over a fifth of a 20-message conversation's classification time); the first pass reads the
 * tokens the classifier has already made. Anything it is unsure of goes to OpenNLP.
 */
final class ConversationLanguage {
    private static final String MODEL = "/langdetect-183.bin";
    /** Characters read for detection: a prefix is enough and bounds the cost. */
    static final int PREFIX = 160;
    /** Below this many characters a detection is provisional. */
    static final int CONFIDENT_LENGTH = 40;

    private final LanguageDetectorME detector;
    private final Map<String, Entry> cache;
    private static final Map<String, String> ISO3_TO_ISO1 = iso1();

    /** A detected language; {@code sample} holds the text so far while it is too short to be sure. */
    private record Entry(String language, String sample) {
    }

    ConversationLanguage(final int capacity) {
        try (InputStream in = LanguageDetectorME.class.getResourceAsStream(MODEL)) {
            if (in == null) {
                throw new IllegalStateException("OpenNLP language model " + MODEL + " not on the class path");
            }
            detector = new LanguageDetectorME(new LanguageDetectorModel(in));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        cache = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(final Map.Entry<String, Entry> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * ISO 639-1 code (ISO 639-3 where there is none) of the conversation. Detected on the
     * conversation's text so far until it has {@value #CONFIDENT_LENGTH} characters ("Hi!" says
     * little), then fixed for the conversation.
     */
    String languageOf(final String conversationId, final String text) {
        return languageOf(conversationId, text, null);
    }

    /**
     * Like {@link #languageOf(String, String)}, with {@code tokens} of {@code text} (or null) for
     * the English first pass.
     */
    String languageOf(final String conversationId, final String text, final Tokens tokens) {
        final Entry known;
        synchronized (cache) {
            known = cache.get(conversationId);
        }
        if (known != null && known.sample() == null) {
            return known.language();
        }
        final String sample = known == null ? prefix(text) : prefix(known.sample() + "\n" + text);
        final String language = known == null && tokens != null && clearlyEnglish(text, tokens) ? "en"
                : detect(sample);
        synchronized (cache) {
            cache.put(conversationId, new Entry(language, sample.length() >= CONFIDENT_LENGTH ? null : sample));
        }
        return language;
    }

    /** Tokens read by the first pass; enough to judge, few enough to stay cheap. */
    static final int FIRST_PASS_TOKENS = 40;
    /** Fewer tokens than this say too little for the first pass. */
    static final int FIRST_PASS_MIN_TOKENS = 8;
    /** Share of the opening's tokens that must be English-only function words. */
    static final double FIRST_PASS_SHARE = 0.15;
    /**
     * Frequent English function words that are not frequent words of other languages OpenNLP
     * knows in Latin script ("i", "a", "to", "do", "my", "of", "is", "was", "will", "in", "we" are
     * left out: Italian, Polish, Spanish, Portuguese, Czech, Dutch and German use them too).
     * Contractions are expanded by the tokeniser ("don't" gives "not").
     */
    private static final LongSet ENGLISH = LongSet.of("the", "and", "you", "your", "that", "this", "with", "have",
            "has", "what", "would", "could", "should", "about", "there", "their", "they", "them", "from", "are",
            "were", "been", "it", "not", "but", "if", "how", "why", "when", "which", "who", "because", "she", "his",
            "our", "any", "some", "than", "then", "these", "those", "does", "did", "its", "into", "out");

    /**
     * Whether the message is English beyond doubt: its first {@value #FIRST_PASS_TOKENS} tokens
     * are at least {@value #FIRST_PASS_SHARE} English function words, at least three of them
     * different, and its opening has no letters outside ASCII (accents point to another language).
     */
    static boolean clearlyEnglish(final String text, final Tokens tokens) {
        return englishShare(text, tokens) >= FIRST_PASS_SHARE;
    }

    /** Share of English function words in the opening, or -1 where the first pass cannot judge. */
    static double englishShare(final String text, final Tokens tokens) {
        final int n = Math.min(tokens.count, FIRST_PASS_TOKENS);
        if (n < FIRST_PASS_MIN_TOKENS) {
            return -1;
        }
        final int chars = Math.min(text.length(), PREFIX);
        for (int i = 0; i < chars; i++) {
            final char c = text.charAt(i);
            if (c >= 0x80 && Character.isLetter(c)) {
                return -1;
            }
        }
        int hits = 0;
        long seen1 = 0;
        long seen2 = 0;
        long seen3 = 0;
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            final long h = tokens.hash[i];
            if (ENGLISH.contains(h)) {
                hits++;
                if (distinct < 3 && h != seen1 && h != seen2 && h != seen3) {
                    if (distinct == 0) {
                        seen1 = h;
                    } else if (distinct == 1) {
                        seen2 = h;
                    } else {
                        seen3 = h;
                    }
                    distinct++;
                }
            }
        }
        return distinct >= 3 ? (double) hits / n : -1;
    }

    private static String prefix(final String text) {
        return text.length() > PREFIX ? text.substring(0, PREFIX) : text;
    }

    String detect(final String text) {
        final Language best;
        synchronized (detector) {
            // LanguageDetectorME is not documented as thread-safe.
            best = detector.predictLanguage(text);
        }
        final String iso3 = best.getLang();
        return ISO3_TO_ISO1.getOrDefault(iso3, iso3);
    }

    private static Map<String, String> iso1() {
        final Map<String, String> m = new HashMap<>();
        for (final String iso1 : Locale.getISOLanguages()) {
            try {
                m.put(new Locale(iso1).getISO3Language(), iso1);
            } catch (final java.util.MissingResourceException ignored) {
                // no three-letter code known for it
            }
        }
        // OpenNLP's model uses a few codes Java does not map.
        m.put("cmn", "zh");
        m.put("pes", "fa");
        m.put("zlm", "ms");
        m.put("lvs", "lv");
        m.put("ekk", "et");
        return m;
    }
}
