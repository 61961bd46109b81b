package dev.vigil.classify;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared normalisation: contractions, negation scope, quotes, URLs and numbers. */
class TokensTest {

    private static String words(final String text) {
        final java.util.Map<Long, String> names = new java.util.HashMap<>();
        for (final String w : ("i do not want to die just the noise stop can will not is it am have url num <url> "
                + "<num> he said hello see 988 call a lol").split(" ")) {
            names.put(Tokens.hash(w), w);
        }
        return Tokens.describe(text, h -> names.getOrDefault(h, "?"));
    }

    @Test
    void shouldExpandContractionsWithAndWithoutApostrophes() {
        assertEquals("i do not ~want ~to ~die", words("I don't want to die"));
        assertEquals("i do not ~want ~to ~die", words("i dont want to die"));
        assertEquals("i can not ~stop", words("I can't stop"));
        assertEquals("i will not", words("I won't"));
    }

    @Test
    void shouldEndNegationScopeAtClauseBoundaries() {
        assertEquals("i do not ~want ~to ~die i just want the noise to stop",
                words("I don't want to die, I just want the noise to stop"));
    }

    @Test
    void shouldFoldUrlsAndNumbersButKeepCrisisNumbers() {
        assertEquals("see <url> <num> <num>", words("see https://example.org/x?y=1 42 1,500"));
        assertEquals("call 988", words("call 988"));
    }

    @Test
    void shouldMarkQuotedSpans() {
        final Tokens t = new Tokens().read("he said \"hello\" lol");
        assertFalse(t.quoted(0));
        assertTrue(t.quoted(2));
        assertFalse(t.quoted(3));
    }
}
