package dev.vigil.classify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code vigil eval} on the small checked-in sample (permissively licensed sources, and the
 * self-harm request and crisis disclosure sets written for the tests) keeps the scores recorded in
 * {@code expected-scores.json}; a change that costs more than {@value #TOLERANCE} on any figure fails.
 * After a deliberate improvement, regenerate the expectations with
 * {@code vigil eval --data streams-app/src/test/resources/dev/vigil/classify/eval-sample --json}.
 */
class EvalRegressionTest {
    static final double TOLERANCE = 0.02;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode actual;

    static Path resource(final String name) throws Exception {
        return Path.of(EvalRegressionTest.class.getResource(name).toURI());
    }

    @BeforeAll
    static void evaluateSample() throws Exception {
        actual = JSON.readTree(Commands.eval(Classifiers.standard(), resource("eval-sample"), true));
    }

    @Test
    void shouldKeepEveryRecordedScoreOnTheSample() throws Exception {
        final JsonNode expected = JSON.readTree(Files.readString(resource("expected-scores.json")));
        int compared = 0;
        for (final JsonNode task : expected.get("tasks")) {
            final JsonNode now = find(task.get("task").asText());
            assertNotNull(now, "task missing from eval output: " + task.get("task"));
            for (final Iterator<Map.Entry<String, JsonNode>> it = task.get("figures").fields(); it.hasNext(); ) {
                final Map.Entry<String, JsonNode> figure = it.next();
                final String name = figure.getKey();
                final double was = figure.getValue().asDouble();
                final double is = now.get("figures").get(name).asDouble();
                if (name.equals("n") || name.endsWith("_n")) {
                    assertEquals(was, is, task.get("task") + " " + name);
                } else if (name.startsWith("false_positive") || name.equals("rung_below")
                        || name.startsWith("flagged_rate_supportive")
                        || name.startsWith("flagged_rate_indicator")) {
                    assertTrue(is <= was + TOLERANCE, task.get("task") + " " + name + " rose from " + was + " to " + is);
                } else if (!name.startsWith("flagged_rate")) {
                    assertTrue(is >= was - TOLERANCE, task.get("task") + " " + name + " fell from " + was + " to " + is);
                }
                compared++;
            }
        }
        assertTrue(compared > 20, "too few figures compared: " + compared);
    }

    @Test
    void shouldDetectDirectSelfHarmRequestsWithFewFalseAlarms() {
        final JsonNode requests = find("selfharm-requests").get("figures");
        assertTrue(requests.get("recall").asDouble() >= 0.95, "recall " + requests.get("recall"));
        assertTrue(requests.get("false_positive_rate").asDouble() <= 0.05, "fpr " + requests.get("false_positive_rate"));
    }

    @Test
    void shouldFlagMostCrisisDisclosuresWrittenForTheTests() {
        // Recall first. The false-positive rate on everyday distress (0.72 and 0.90 with 1.5.0) is
        // kept from rising by the recorded scores; it is a known limitation (README).
        for (final String split : new String[] {"development", "held_out"}) {
            final JsonNode d = find("crisis-disclosures [" + split + "]").get("figures");
            assertTrue(d.get("recall").asDouble() >= 0.8, split + " recall " + d.get("recall"));
        }
    }

    private static JsonNode find(final String task) {
        for (final JsonNode t : actual.get("tasks")) {
            if (t.get("task").asText().equals(task)) {
                return t;
            }
        }
        return null;
    }
}
