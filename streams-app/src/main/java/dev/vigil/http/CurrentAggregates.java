package dev.vigil.http;

import dev.vigil.schema.WindowAggregate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The latest window of every aggregate cell (window size, dimension, value), for the read-only
 * {@code /api/aggregates} view. An older window arriving late never replaces a newer one.
 *
 * <p>k-anonymity holds here too: a cell marked suppressed, or one whose distinct accounts are
 * below its k, is shown as suppressed with no counts at all (suppressed, not rounded).
 */
public final class CurrentAggregates {
    private record Cell(String windowSize, String dimension, String value) {
    }

    private final Map<Cell, WindowAggregate> latest = new HashMap<>();

    public synchronized void record(final WindowAggregate aggregate) {
        final Cell cell = new Cell(aggregate.getWindowSize(), aggregate.getDimension(), aggregate.getValue());
        final WindowAggregate current = latest.get(cell);
        if (current == null || !aggregate.getWindowStart().isBefore(current.getWindowStart())) {
            latest.put(cell, aggregate);
        }
    }

    /** Sorted by dimension, value and window size, so the view is stable between calls. */
    public synchronized List<WindowAggregate> snapshot() {
        final List<WindowAggregate> all = new ArrayList<>(latest.values());
        all.sort(Comparator.comparing(WindowAggregate::getDimension)
                .thenComparing(WindowAggregate::getValue)
                .thenComparing(WindowAggregate::getWindowSize));
        return all;
    }

    static boolean suppressed(final WindowAggregate a) {
        return a.getSuppressed() || a.getDistinctAccounts() == null || a.getDistinctAccounts() < a.getK();
    }

    static Map<String, Object> view(final WindowAggregate a) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("window_start", a.getWindowStart().toString());
        m.put("window_end", a.getWindowEnd().toString());
        m.put("window_size", a.getWindowSize());
        m.put("dimension", a.getDimension());
        m.put("value", a.getValue());
        m.put("k", a.getK());
        if (suppressed(a)) {
            m.put("suppressed", true);
            return m;
        }
        m.put("suppressed", false);
        m.put("distinct_accounts", a.getDistinctAccounts());
        m.put("conversations", a.getConversations());
        m.put("messages", a.getMessages());
        m.put("human_messages", a.getHumanMessages());
        m.put("assistant_messages", a.getAssistantMessages());
        m.put("pushback_count", a.getPushbackCount());
        m.put("pushback_rate", a.getPushbackRate());
        m.put("pushback_by_reason", a.getPushbackByReason());
        m.put("sentiment_mean", a.getSentimentMean());
        m.put("sentiment_count", a.getSentimentCount());
        m.put("ended_conversations", a.getEndedConversations());
        m.put("sentiment_shift_mean", a.getSentimentShiftMean());
        m.put("crisis_disclosures", a.getCrisisDisclosures());
        m.put("crisis_by_level", a.getCrisisByLevel());
        m.put("referrals", a.getReferrals());
        m.put("missed_referrals", a.getMissedReferrals());
        m.put("partial_referrals", a.getPartialReferrals());
        m.put("classifier_version", a.getClassifierVersion());
        return m;
    }
}
