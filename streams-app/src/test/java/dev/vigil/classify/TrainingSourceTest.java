package dev.vigil.classify;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which labelled sources the shipped weights may learn from, and what the model card says about it. */
class TrainingSourceTest {

    @Test
    void shouldShipWeightsWhoseModelCardAllowsRedistribution() {
        // The weights in the jar are redistributed by every deployment.
        assertTrue(ModelCard.licence().startsWith("redistributable"), ModelCard.licence());
        assertFalse(ModelCard.trainedOnWhole().contains("sentiment-sst5"));
    }

    @Test
    void shouldLeaveNonCommercialAndUnlicensedSourcesOutByDefault() {
        final Set<TrainingSource> defaults = TrainingSource.redistributable();
        for (final TrainingSource s : List.of(TrainingSource.ESCONV, TrainingSource.DAILYDIALOG,
                TrainingSource.SST5, TrainingSource.ANNOMI)) {
            assertFalse(defaults.contains(s), s + " is research-only");
        }
        assertTrue(defaults.containsAll(List.of(TrainingSource.GOEMOTIONS, TrainingSource.CSSRS,
                TrainingSource.COUNSEL_CHAT, TrainingSource.MTBENCH, TrainingSource.XSTEST_PROMPTS,
                TrainingSource.XSTEST, TrainingSource.COCONOT)));
    }

    @Test
    void shouldTellTheAffectiveSetsSourcesApartByConversation() {
        assertEquals(TrainingSource.ESCONV, TrainingSource.of("affective", "esconv-train-12"));
        assertEquals(TrainingSource.ANNOMI, TrainingSource.of("affective", "annomi-4"));
        assertEquals(TrainingSource.COUNSEL_CHAT, TrainingSource.of("affective", "counselchat-3"));
        assertEquals(TrainingSource.XSTEST_PROMPTS, TrainingSource.of("affective", "xstest-safe-9"));
        assertEquals(TrainingSource.GOEMOTIONS, TrainingSource.of("polarity-goemotions", "anything"));
        // An unknown source is never trained on.
        assertNull(TrainingSource.of("affective", "newsource-1"));
    }

    @Test
    void shouldMarkTheModelCardOfWeightsTrainedOnResearchData() throws Exception {
        final String research = card(TrainingSource.all());
        assertTrue(research.contains("licence=" + ModelCard.RESEARCH_ONLY), research);
        assertTrue(research.contains("ESConv (CC BY-NC 4.0)"), research);
        assertTrue(research.contains("trained_on=sentiment-sst5[train],"), research);
        final String clean = card(TrainingSource.redistributable());
        assertTrue(clean.contains("licence=redistributable"), clean);
        assertFalse(line(clean, "sources=").contains("ESConv"), clean);
        assertTrue(line(clean, "not_trained_on=").contains("ESConv (CC BY-NC 4.0; research only)"), clean);
    }

    private static String line(final String card, final String prefix) {
        return card.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("");
    }

    private static String card(final Set<TrainingSource> sources) throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelCard.write(out, "1", sources);
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
