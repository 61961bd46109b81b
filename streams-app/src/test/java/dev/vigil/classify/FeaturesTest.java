package dev.vigil.classify;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Assistant replies are featurised without the whole-message n-grams the pushback head never
 * reads; the pushback logit must be exactly what the full vector gives, or the shortcut would
 * quietly change which replies count as pushback.
 */
class FeaturesTest {

    @Test
    void shouldGiveThePushbackHeadTheSameLogitWithoutTheMessageBody() {
        final LinearModels models = LinearModels.load();
        final Phrases phrases = Cues.standard();
        final SentimentLexicon lexicon = SentimentLexicon.load();
        final String[] replies = {
            "I'm sorry, but I can't help with that request. If you are struggling, please reach out to someone you trust.",
            "Sure! To kill a Python process, find its id with ps and send it a signal with kill. "
                    + "Here is how it works step by step, with an example you can paste into a terminal.",
            "I can't give a diagnosis, but here is what might help: keep a sleep diary for two weeks, "
                    + "cut caffeine after noon, and talk to your doctor about what you find.",
            "",
            "No."};
        final Tokens tokens = new Tokens();
        final CueHits cues = new CueHits();
        final SentimentLexicon.Score lex = new SentimentLexicon.Score();
        final float[] full = new float[Head.width()];
        final float[] opening = new float[Head.width()];
        for (final String reply : replies) {
            tokens.read(reply);
            cues.clear();
            phrases.match(tokens, cues);
            lexicon.score(tokens, lex);
            models.score(new Features().build(tokens, cues, lex, 0, Features.REPLY_START_TOKENS, false), full,
                    Features.START_BASE);
            models.score(new Features().buildReply(tokens, cues, lex, 0), opening, Features.START_BASE);
            assertEquals(full[Head.PUSHBACK.offset()], opening[Head.PUSHBACK.offset()], 0f, reply);
        }
    }
}
