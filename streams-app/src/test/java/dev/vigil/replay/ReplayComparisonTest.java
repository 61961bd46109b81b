package dev.vigil.replay;

import dev.vigil.alert.Alerts;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;
import dev.vigil.testing.Events;
import dev.vigil.testing.KeywordTestClassifier;
import dev.vigil.testing.StricterKeywordTestClassifier;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayComparisonTest {
    private static final Instant T = Instant.parse("2026-03-02T10:00:00Z");
    private final Alerts alerts = new Alerts("https://runbooks/");

    private static List<ConversationEvent> events() {
        return List.of(
                Events.event("c1", 0, Role.HUMAN, "everything feels hopeless", T),
                Events.event("c1", 1, Role.ASSISTANT, "I can't do that", T.plusSeconds(10)),
                Events.event("c2", 0, Role.HUMAN, "I feel sad", T.plusSeconds(20)),
                Events.event("c2", 1, Role.ASSISTANT, "call 988", T.plusSeconds(30)),
                Events.event("c3", 0, Role.HUMAN, "I want to disappear", T.plusSeconds(40)));
    }

    private SafetyAlert missed(final String conversation) {
        final String key = Alerts.dedupKey(AlertType.MISSED_REFERRAL, "conversation", conversation, "turn-0");
        return alerts.alert(AlertType.MISSED_REFERRAL, Severity.WARNING, key, T, null, null, "conversation",
                conversation, "missed", Map.of(), "v");
    }

    @Test
    void shouldCountEachChangedLabelByDirectionAndListAddedAndRemovedAlerts() {
        final List<MessageSignals> a = events().stream().map(new KeywordTestClassifier()::classify).toList();
        // Run B lost c3 and classified the rest with the stricter double.
        final List<MessageSignals> b = events().subList(0, 4).stream()
                .map(new StricterKeywordTestClassifier()::classify).toList();
        final ReplayComparison c = ReplayComparison.compare("backfill.a", "backfill.b", a, b,
                List.of(missed("c9"), missed("c2"), missed("c2")), List.of(missed("c1"), missed("c2")));

        assertEquals(4, c.compared());
        assertEquals(1, c.onlyInA());
        assertEquals(0, c.onlyInB());
        assertEquals(new ReplayComparison.LabelDiff(2, 1, Map.of("none -> active_ideation", 1L)),
                c.labels().get("crisis_level"));
        assertEquals(new ReplayComparison.LabelDiff(2, 1, Map.of("neutral -> negative", 1L)), c.labels().get("sentiment"));
        assertEquals(0, c.labels().get("pushback").changed());
        assertEquals(2, c.labels().get("pushback").messages(), "pushback is judged on assistant messages only");
        final ReplayComparison.AlertDiff missed = c.alerts().get("MISSED_REFERRAL");
        assertEquals(2, missed.inA(), "a re-sent alert counts once");
        assertEquals(List.of("missed-referral/conversation/c1/turn-0"), missed.added());
        assertEquals(List.of("missed-referral/conversation/c9/turn-0"), missed.removed());
        assertTrue(c.differs());

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        c.printTable(new PrintStream(out, true, StandardCharsets.UTF_8), 10);
        final String table = out.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("none -> active_ideation"), table);
        assertTrue(table.contains("+ missed-referral/conversation/c1/turn-0"), table);
        assertTrue(c.toJson().contains("\"none -> active_ideation\" : 1"), c.toJson());
    }

    @Test
    void shouldReportNoDifferenceBetweenIdenticalRuns() {
        final List<MessageSignals> a = events().stream().map(new KeywordTestClassifier()::classify).toList();
        final ReplayComparison c = ReplayComparison.compare("", "backfill.a", a, a, List.of(missed("c1")),
                List.of(missed("c1")));
        assertFalse(c.differs());
        assertEquals(5, c.compared());
    }
}
