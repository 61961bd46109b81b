package dev.vigil.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Vigil's Prometheus rules and Alertmanager routes, checked by the real promtool and amtool:
 * rules parse, every alert has a firing unit test and a runbook page, and alerts reach the
 * receivers on-call expects. Fails (does not skip) when the tools are missing.
 */
class PrometheusRulesIT {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String RUNBOOK_BASE = "https://github.com/vigil-safety/vigil/blob/main/";
    private final Path root = ExternalTools.repoRoot();
    private final Path prometheusDir = root.resolve("deploy/prometheus");
    private final Path alertmanagerConfig = root.resolve("deploy/alertmanager/alertmanager.yml");

    @Test
    void shouldPassPromtoolConfigCheckAndRuleUnitTests() throws Exception {
        final Path promtool = ExternalTools.require("promtool");
        final ExternalTools.Result config = ExternalTools.run(prometheusDir, Duration.ofMinutes(1),
                promtool.toString(), "check", "config", "prometheus.yml");
        assertEquals(0, config.exitCode(), config.output());
        final ExternalTools.Result tests = ExternalTools.run(prometheusDir.resolve("tests"), Duration.ofMinutes(3),
                promtool.toString(), "test", "rules", "vigil-alerts.test.yml");
        assertEquals(0, tests.exitCode(), tests.output());
        assertTrue(tests.output().contains("SUCCESS"), tests.output());
    }

    @Test
    void shouldHaveAFiringUnitTestForEveryAlert() throws Exception {
        final Set<String> alerts = alertNames();
        final JsonNode tests = YAML.readTree(prometheusDir.resolve("tests/vigil-alerts.test.yml").toFile());
        final Set<String> firing = new HashSet<>();
        for (final JsonNode test : tests.get("tests")) {
            for (final JsonNode check : test.path("alert_rule_test")) {
                if (check.path("exp_alerts").size() > 0) {
                    firing.add(check.get("alertname").asText());
                }
            }
        }
        final Set<String> untested = new HashSet<>(alerts);
        untested.removeAll(firing);
        assertTrue(untested.isEmpty(), "alerts without a test that makes them fire: " + untested);
        assertTrue(alerts.size() >= 12, "expected the full rule set, found " + alerts);
    }

    @Test
    void shouldLinkEveryAlertToARunbookPageThatExists() throws Exception {
        final List<String> problems = new ArrayList<>();
        for (final JsonNode rule : rules()) {
            if (!rule.has("alert")) {
                continue;
            }
            final String url = rule.path("annotations").path("runbook_url").asText("");
            if (!url.startsWith(RUNBOOK_BASE + "docs/runbooks/")) {
                problems.add(rule.get("alert").asText() + ": runbook_url " + url);
                continue;
            }
            final Path page = root.resolve(url.substring(RUNBOOK_BASE.length()));
            if (!Files.isRegularFile(page)) {
                problems.add(rule.get("alert").asText() + ": no page " + page);
            } else {
                final String text = Files.readString(page);
                if (!text.contains("## What it means") || !text.contains("## How to check")
                        || !text.contains("## What to do")) {
                    problems.add(page + " lacks a section");
                }
            }
            for (final String label : List.of("severity", "type", "team")) {
                if (!rule.path("labels").has(label)) {
                    problems.add(rule.get("alert").asText() + ": no " + label + " label");
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void shouldHaveARunbookForEveryTopologyAlertType() {
        for (final dev.vigil.schema.AlertType type : dev.vigil.schema.AlertType.values()) {
            final String name = type.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            assertTrue(Files.isRegularFile(root.resolve("docs/runbooks/" + name + ".md")), "runbook for " + type);
        }
    }

    @Test
    void shouldPassAmtoolCheckConfig() throws Exception {
        final Path amtool = ExternalTools.require("amtool");
        final ExternalTools.Result r = ExternalTools.run(root, Duration.ofMinutes(1), amtool.toString(),
                "check-config", alertmanagerConfig.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("SUCCESS"), r.output());
    }

    @Test
    void shouldRouteBySeverityTypeAndTeam() throws Exception {
        assertRoute("pagerduty-safeguards,slack-safety", "severity=critical", "team=safeguards", "type=missed_referral");
        assertRoute("opsgenie-safeguards,slack-safety", "severity=warning", "team=safeguards", "type=crisis_surge");
        assertRoute("slack-abuse,opsgenie-safeguards,slack-safety", "severity=warning", "team=safeguards",
                "type=coordinated_abuse");
        assertRoute("pagerduty-platform,slack-ops", "severity=critical", "team=platform", "type=stream_threads");
        assertRoute("slack-ops", "severity=warning", "team=platform", "type=pipeline_lag");
        assertRoute("slack-safety", "severity=info", "type=something_new");
    }

    @Test
    void shouldInhibitWarningsOfATypeWhenACriticalOfThatTypeFires() throws Exception {
        final JsonNode config = YAML.readTree(alertmanagerConfig.toFile());
        boolean found = false;
        for (final JsonNode rule : config.get("inhibit_rules")) {
            if (rule.get("source_matchers").toString().contains("severity=\\\"critical\\\"")
                    && rule.get("target_matchers").toString().contains("severity=\\\"warning\\\"")
                    && rule.get("equal").toString().contains("type")) {
                found = true;
            }
        }
        assertTrue(found, "no critical-inhibits-warning rule by type");
    }

    private void assertRoute(final String expected, final String... labels) throws Exception {
        final Path amtool = ExternalTools.require("amtool");
        final List<String> cmd = new ArrayList<>(List.of(amtool.toString(), "config", "routes", "test",
                "--config.file=" + alertmanagerConfig, "--verify.receivers=" + expected));
        cmd.addAll(List.of(labels));
        final ExternalTools.Result r = ExternalTools.run(root, Duration.ofMinutes(1), cmd.toArray(String[]::new));
        assertEquals(0, r.exitCode(), String.join(" ", labels) + " -> " + r.output());
    }

    private Set<String> alertNames() throws Exception {
        final Set<String> names = new HashSet<>();
        for (final JsonNode rule : rules()) {
            if (rule.has("alert")) {
                names.add(rule.get("alert").asText());
            }
        }
        return names;
    }

    private List<JsonNode> rules() throws Exception {
        final List<JsonNode> out = new ArrayList<>();
        try (var files = Files.list(prometheusDir.resolve("rules"))) {
            for (final Path f : files.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
                for (final JsonNode group : YAML.readTree(f.toFile()).get("groups")) {
                    group.get("rules").forEach(out::add);
                }
            }
        }
        return out;
    }
}
