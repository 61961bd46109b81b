package dev.vigil.alert;

import dev.vigil.schema.AlertType;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Builds {@link SafetyAlert}s the same way for every rule: the alert id is derived from the dedup
 * key (a replay of the same input yields the same ids), and the runbook link is the alert type in
 * kebab case under a configurable base URL. Evidence is labels, counts and scores only.
 */
public final class Alerts {
    private final String runbookBaseUrl;

    public Alerts(final String runbookBaseUrl) {
        this.runbookBaseUrl = runbookBaseUrl.endsWith("/") ? runbookBaseUrl : runbookBaseUrl + "/";
    }

    /** Name-based UUID of the dedup key: the same situation always gets the same id. */
    public static String alertId(final String dedupKey) {
        return UUID.nameUUIDFromBytes(dedupKey.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** {@code MISSED_REFERRAL} becomes {@code missed-referral}, the runbook's file name. */
    public static String kebab(final AlertType type) {
        return type.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public String runbookUrl(final AlertType type) {
        return runbookBaseUrl + kebab(type) + ".md";
    }

    /** The dedup key: alert type, subject and what makes this occurrence one situation. */
    public static String dedupKey(final AlertType type, final String subjectKind, final String subject,
                                  final String occurrence) {
        return kebab(type) + "/" + subjectKind + "/" + subject + "/" + occurrence;
    }

    public SafetyAlert alert(final AlertType type, final Severity severity, final String dedupKey,
                             final Instant raisedAt, final Instant windowStart, final Instant windowEnd,
                             final String subjectKind, final String subject, final String summary,
                             final Map<String, String> evidence, final String classifierVersion) {
        return SafetyAlert.newBuilder()
                .setAlertId(alertId(dedupKey))
                .setDedupKey(dedupKey)
                .setType(type)
                .setSeverity(severity)
                .setRaisedAt(raisedAt)
                .setWindowStart(windowStart)
                .setWindowEnd(windowEnd)
                .setSubjectKind(subjectKind)
                .setSubject(subject)
                .setSummary(summary)
                // Sorted, so the serialized alert is byte-for-byte the same on a replay.
                .setEvidence(new TreeMap<>(evidence))
                .setRunbookUrl(runbookUrl(type))
                .setClassifierVersion(classifierVersion == null ? "" : classifierVersion)
                .build();
    }

    /** Lower-case label of an enum value for evidence and summaries. */
    public static String label(final Enum<?> e) {
        return e == null ? "none" : e.name().toLowerCase(Locale.ROOT);
    }

    /** A rate or mean with three decimals, formatted the same on every machine. */
    public static String number(final double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
