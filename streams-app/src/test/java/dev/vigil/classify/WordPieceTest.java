package dev.vigil.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class WordPieceTest {
    private static final WordPiece VOCAB = WordPiece.load();

    private static int[] ids(final String text, final int max) {
        final int[] out = new int[max];
        return Arrays.copyOf(out, VOCAB.encode(text, out, max));
    }

    private static String pieces(final String text) {
        final StringBuilder sb = new StringBuilder();
        for (final int id : ids(text, 512)) {
            sb.append(sb.length() == 0 ? "" : " ").append(VOCAB.token(id));
        }
        return sb.toString();
    }

    @Test
    void shouldGiveTheEncodersOwnIdsForPlainText() {
        // bert-base-uncased ids, the vocabulary all-MiniLM-L6-v2 was trained with.
        assertArrayEquals(new int[] {7592, 1010, 2088, 999}, ids("Hello, world!", 16));
        assertEquals(30522, VOCAB.size());
    }

    @Test
    void shouldSplitUnknownWordsIntoPiecesAndPunctuationIntoTokens() {
        assertEquals("i ' m so tired", pieces("I'm  so\ttired"));
        assertEquals("una ##ffa ##ble", pieces("unaffable"));
    }

    @Test
    void shouldLowerCaseAndStripAccentsAsTheEncoderWasTrained() {
        assertEquals(pieces("hello cafe naive"), pieces("HÉLLO Café naïve"));
    }

    @Test
    void shouldDropControlCharactersWithoutBreakingTheWord() {
        assertEquals(pieces("tiredof it"), pieces("tired\u0001of it"));
    }

    @Test
    void shouldStopAtTheBufferLimit() {
        assertEquals(3, ids("one two three four five", 3).length);
    }

    @Test
    void shouldReadAVeryLongWordAsOneUnknownToken() {
        assertArrayEquals(new int[] {WordPiece.UNK}, ids("a".repeat(500), 8));
    }
}
