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
        final Entry known;
        synchronized (cache) {
            known = cache.get(conversationId);
        }
        if (known != null && known.sample() == null) {
            return known.language();
        }
        final String sample = known == null ? prefix(text) : prefix(known.sample() + "\n" + text);
        final String language = detect(sample);
        synchronized (cache) {
            cache.put(conversationId, new Entry(language, sample.length() >= CONFIDENT_LENGTH ? null : sample));
        }
        return language;
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
