package dev.vigil.classify;

import dev.vigil.schema.CrisisLevel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The per-user crisis figures survive pooling cross-validation folds. */
class EvaluationTest {

    private static Evaluation.Result fold(final String label, final CrisisLevel level, final int users) {
        final Evaluation.Result r = new Evaluation.Result("crisis-cssrs", "user",
                new Evaluation.Confusion(List.of("not_at_risk", "at_risk")), 1);
        r.levelsByGold.computeIfAbsent(label, k -> new long[CrisisLevel.values().length])[level.ordinal()] += users;
        return r;
    }

    @Test
    void shouldPoolTheGradesOfUsersWhoseBehaviourIsLabelledAcrossFolds() {
        // Before the figures were derived from pooled counts, the folds' flagged rates were dropped
        // when cross-validation merged them.
        final Evaluation.Result pooled = fold("behavior", CrisisLevel.BEHAVIOR, 0);
        pooled.merge(fold("behavior", CrisisLevel.BEHAVIOR, 1));
        pooled.merge(fold("attempt", CrisisLevel.PASSIVE_IDEATION, 2));
        pooled.merge(fold("attempt", CrisisLevel.INTENT_OR_PLAN, 1));
        pooled.merge(fold("supportive", CrisisLevel.NONE, 3));
        pooled.merge(fold("supportive", CrisisLevel.ACTIVE_IDEATION, 1));
        final Map<String, Double> f = pooled.figures();
        assertEquals(4.0, f.get("behavior_users_n"));
        assertEquals(0.25, f.get("behavior_users_graded_behavior"));
        // Behaviour and a plan are at or above active ideation; the two passive users are not.
        assertEquals(0.5, f.get("behavior_users_graded_referral_rung"));
        assertEquals(0.25, f.get("flagged_rate_supportive"));
        assertEquals(1.0, f.get("flagged_rate_attempt"), "passive ideation is flagged too");
    }
}
