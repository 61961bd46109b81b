package dev.vigil.alert.route;

import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.metrics.VigilMetrics;
import dev.vigil.ops.ExternalTools;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;
import dev.vigil.serde.VigilSerdes;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The series the router's pages fire on exist from the start at zero (Prometheus sees no increase
 * in a counter that appears at 1, so a first dead letter would never page), and the rules name
 * them as the router exposes them.
 */
class AlertRouterMetricsTest {

    @Test
    void shouldExposeThePagedSeriesAtZeroBeforeAnythingHappens() throws Exception {
        try (VigilMetrics metrics = VigilMetrics.create()) {
            final SafetyMetrics safety = metrics.safety();
            final RetryPolicy policy = new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1),
                    Duration.ofSeconds(1), Duration.ofSeconds(1));
            final AlertRouter router = new AlertRouter(List.of(
                    new PagerDutyDestination(URI.create("http://127.0.0.1:9/pd"), "k", Severity.INFO, 1),
                    new SlackDestination(URI.create("http://127.0.0.1:9/slack"), Severity.INFO, 1)),
                    new AlertDeliverer(policy, safety), safety);
            new AlertRouterLoop(Map.of("bootstrap.servers", "127.0.0.1:9"), "g", "t", "t.dlq",
                    VigilSerdes.plainAvro().value(SafetyAlert.class).deserializer(), router, safety);
            final String scrape = metrics.scrape();
            for (final String series : List.of(
                    "vigil_dead_letters_total{reason=\"alert_deserialization_failed\"} 0.0",
                    "vigil_alert_deliveries_total{destination=\"pagerduty\",outcome=\"dead_lettered\"} 0.0",
                    "vigil_alert_deliveries_total{destination=\"slack\",outcome=\"dead_lettered\"} 0.0",
                    "vigil_alert_router_registry_waiting 0.0",
                    "vigil_alert_router_registry_waits_total 0.0")) {
                assertTrue(scrape.contains(series), series + " missing from:\n" + scrape);
            }
        }
    }

    @Test
    void shouldPageOnTheSeriesTheRouterExposes() throws Exception {
        final String rules = Files.readString(ExternalTools.repoRoot().resolve("deploy/prometheus/rules/vigil-alerts.yml"));
        assertTrue(rules.contains("vigil_dead_letters_total{reason=\"alert_" + AlertRouterLoop.REASON_UNREADABLE + "\"}"));
        assertTrue(rules.contains(AlertRouterLoop.REGISTRY_WAITING.replace('.', '_')));
        assertTrue(rules.contains("vigil_alert_deliveries_total{outcome=\"dead_lettered\"}"));
    }
}
