package dev.vigil.http;

import dev.vigil.schema.SafetyAlert;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The most recent alerts the process has seen, for the read-only {@code /api/alerts} view. The
 * runtime feeds it from the alerts stream ({@link #record}); the HTTP server reads it from
 * another thread. An alert seen again (same alert id, e.g. after a restart) replaces the earlier
 * copy instead of being listed twice.
 */
public final class RecentAlerts {
    public static final int DEFAULT_CAPACITY = 200;

    private final int capacity;
    private final LinkedHashMap<String, SafetyAlert> byId = new LinkedHashMap<>();

    public RecentAlerts() {
        this(DEFAULT_CAPACITY);
    }

    public RecentAlerts(final int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
    }

    public synchronized void record(final SafetyAlert alert) {
        byId.remove(alert.getAlertId());
        byId.put(alert.getAlertId(), alert);
        while (byId.size() > capacity) {
            final String oldest = byId.keySet().iterator().next();
            byId.remove(oldest);
        }
    }

    /** Newest first (by the event time that raised them). */
    public synchronized List<SafetyAlert> snapshot() {
        final List<SafetyAlert> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparing(SafetyAlert::getRaisedAt).reversed());
        return all;
    }

    /** The JSON view of one alert: labels, counts and links; never conversation text. */
    static Map<String, Object> view(final SafetyAlert a) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("alert_id", a.getAlertId());
        m.put("dedup_key", a.getDedupKey());
        m.put("type", a.getType().name());
        m.put("severity", a.getSeverity().name());
        m.put("raised_at", a.getRaisedAt().toString());
        m.put("window_start", a.getWindowStart() == null ? null : a.getWindowStart().toString());
        m.put("window_end", a.getWindowEnd() == null ? null : a.getWindowEnd().toString());
        m.put("subject_kind", a.getSubjectKind());
        m.put("subject", a.getSubject());
        m.put("summary", a.getSummary());
        m.put("evidence", a.getEvidence());
        m.put("runbook_url", a.getRunbookUrl());
        m.put("classifier_version", a.getClassifierVersion());
        return m;
    }
}
