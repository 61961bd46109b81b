package dev.vigil.alert.route;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.schema.SafetyAlert;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fields of an alert that may leave Vigil: labels, counts, window, pseudonymous subject and
 * the runbook link. The summary is a sentence generated from those labels; conversation text is
 * never part of an alert, so nothing here can carry it.
 *
 * <p>Every string is {@linkplain ToolText#clean cleaned and bounded} here, once for every tool:
 * ids and labels can come from a producer's input. The dedup key is {@linkplain ToolText#key made
 * a key every tool accepts}, the runbook link is kept only when it is a plain http(s) URL, and at
 * most {@value #EVIDENCE_ENTRIES} evidence entries are sent.
 */
final class AlertJson {
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** PagerDuty's limit for {@code dedup_key}, the smallest of the tools'. */
    static final int DEDUP_KEY_MAX = 255;
    static final int ID_MAX = 128;
    static final int LABEL_MAX = 64;
    static final int SUBJECT_MAX = 256;
    static final int EVIDENCE_ENTRIES = 50;
    static final int EVIDENCE_KEY_MAX = 64;
    static final int EVIDENCE_VALUE_MAX = 256;
    /** Evidence key counting the entries left out when an alert has more than {@value #EVIDENCE_ENTRIES}. */
    static final String EVIDENCE_OMITTED = "omitted_entries";

    private AlertJson() {
    }

    static Map<String, Object> details(final SafetyAlert a) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("alert_id", ToolText.clean(a.getAlertId(), ID_MAX));
        m.put("dedup_key", dedupKey(a));
        m.put("type", a.getType().name());
        m.put("severity", a.getSeverity().name());
        m.put("raised_at", a.getRaisedAt().toString());
        if (a.getWindowStart() != null) {
            m.put("window_start", a.getWindowStart().toString());
        }
        if (a.getWindowEnd() != null) {
            m.put("window_end", a.getWindowEnd().toString());
        }
        m.put("subject_kind", ToolText.clean(a.getSubjectKind(), LABEL_MAX));
        m.put("subject", ToolText.clean(a.getSubject(), SUBJECT_MAX));
        m.put("evidence", evidence(a.getEvidence()));
        final String runbook = ToolText.url(a.getRunbookUrl());
        m.put("runbook_url", runbook == null ? "" : runbook);
        m.put("classifier_version", ToolText.clean(a.getClassifierVersion(), LABEL_MAX));
        return m;
    }

    /** The dedup key as every tool gets it (PagerDuty {@code dedup_key}, Opsgenie alias, webhook header). */
    static String dedupKey(final SafetyAlert a) {
        return ToolText.key(a.getDedupKey(), DEDUP_KEY_MAX);
    }

    /** Evidence sorted by key, cleaned and bounded, at most {@value #EVIDENCE_ENTRIES} entries. */
    static Map<String, String> evidence(final Map<? extends CharSequence, ? extends CharSequence> evidence) {
        final Map<String, String> out = new LinkedHashMap<>();
        if (evidence == null) {
            return out;
        }
        final TreeMap<String, String> sorted = new TreeMap<>();
        evidence.forEach((k, v) -> sorted.put(k == null ? "" : k.toString(), v == null ? "" : v.toString()));
        int omitted = 0;
        for (final Map.Entry<String, String> e : sorted.entrySet()) {
            if (out.size() >= EVIDENCE_ENTRIES) {
                omitted++;
                continue;
            }
            out.put(ToolText.clean(e.getKey(), EVIDENCE_KEY_MAX), ToolText.clean(e.getValue(), EVIDENCE_VALUE_MAX));
        }
        if (omitted > 0) {
            out.put(EVIDENCE_OMITTED, Integer.toString(omitted));
        }
        return out;
    }

    static String write(final Object body) {
        try {
            return MAPPER.writeValueAsString(body);
        } catch (final JsonProcessingException e) {
            throw new IllegalStateException("alert payload is not serialisable", e);
        }
    }
}
