package dev.vigil.metrics;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VigilMetricsTest {

    @Test
    void shouldExposeDomainMetricsUnderThePrometheusNamesDashboardsQuery() throws IOException {
        try (VigilMetrics metrics = VigilMetrics.create()) {
            new SafetyTrafficFixture(metrics.safety(), 7).conversations(200, Instant.now());
            final String text = metrics.scrape();
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target/metrics-exposition.txt"), text);
            for (final String expected : new String[] {
                "vigil_messages_classified_total{role=\"human\"}",
                "vigil_classifier_latency_seconds_bucket{role=\"assistant\",le=",
                "vigil_signal_lag_seconds_bucket{le=",
                "vigil_sentiment_offset_score_bucket{category=\"counseling\",le=\"0.4\"}",
                "vigil_crisis_disclosures_total{evidence=\"phrase\",level=\"active_ideation\"}",
                "vigil_referral_outcomes_total{level=\"active_ideation\",outcome=\"missed\"}",
                "vigil_conversations_affective_total{category=\"companionship\"}",
                "vigil_conversation_pushback_total{category=",
                "reason=\"self_harm_safety\"}",
                "vigil_conversation_assistant_messages_total{category=\"none\"}",
                "vigil_conversations_with_pushback_total{category=",
                "vigil_sentiment_messages_total{category=\"coaching\",sentiment=\"very_negative\"}",
                "vigil_alerts_raised_total{severity=\"critical\",type=\"missed_referral\"}",
                "vigil_dead_letters_total{reason=\"schema_mismatch\"}",
                "vigil_aggregate_cells_total{suppressed=\"true\"}",
                "jvm_memory_used_bytes",
                "jvm_gc_memory_allocated_bytes_total", "vigil_conversation_sentiment_shift_offset_bucket{category=\"coaching\",le=\"2.0\"}",
                "process_cpu_usage",
            }) {
                assertTrue(text.contains(expected), "exposition lacks " + expected);
            }
            assertFalse(text.contains("conv-"), "a conversation id leaked into a label");
            assertFalse(text.contains("acct-"), "an account id leaked into a label");
        }
    }
}
