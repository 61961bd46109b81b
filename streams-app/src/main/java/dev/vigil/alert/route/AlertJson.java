package dev.vigil.alert.route;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.schema.SafetyAlert;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields of an alert that may leave Vigil: labels, counts, window, pseudonymous subject and
 * the runbook link. The summary is a sentence generated from those labels; conversation text is
 * never part of an alert, so nothing here can carry it.
 */
final class AlertJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private AlertJson() {
    }

    static Map<String, Object> details(final SafetyAlert a) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("alert_id", a.getAlertId());
        m.put("dedup_key", a.getDedupKey());
        m.put("type", a.getType().name());
        m.put("severity", a.getSeverity().name());
        m.put("raised_at", a.getRaisedAt().toString());
        if (a.getWindowStart() != null) {
            m.put("window_start", a.getWindowStart().toString());
        }
        if (a.getWindowEnd() != null) {
            m.put("window_end", a.getWindowEnd().toString());
        }
        m.put("subject_kind", a.getSubjectKind());
        m.put("subject", a.getSubject());
        m.put("evidence", a.getEvidence() == null ? Map.of() : new LinkedHashMap<>(a.getEvidence()));
        m.put("runbook_url", a.getRunbookUrl());
        m.put("classifier_version", a.getClassifierVersion());
        return m;
    }

    static String write(final Object body) {
        try {
            return MAPPER.writeValueAsString(body);
        } catch (final JsonProcessingException e) {
            throw new IllegalStateException("alert payload is not serialisable", e);
        }
    }

    static String truncate(final String s, final int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
