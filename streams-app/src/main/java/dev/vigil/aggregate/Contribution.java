package dev.vigil.aggregate;

import dev.vigil.stream.Stamped;

import java.util.ArrayList;
import java.util.List;

/**
 * What one event adds to the windowed aggregates: a message, a resolved crisis disclosure, or a
 * conversation that ended. Emitted by the conversation stage, which knows the conversation's
 * category, model and language; carries pseudonymous hashes, never ids or text. Stamped with
 * its sender's event-time progress, so the aggregate windows close deterministically.
 */
public final class Contribution extends Stamped {
    /** What happened. */
    public enum Kind { MESSAGE, REFERRAL_OUTCOME, ENDED }

    public Kind kind;
    public boolean human;
    public long accountHash;
    public long conversationHash;
    /** Lower-case affective category: the message's own for human messages, the conversation's otherwise. */
    public String category;
    public String model;
    public String language;
    public boolean pushback;
    /** Lower-case pushback reason; null without pushback. */
    public String pushbackReason;
    public Double sentimentScore;
    /** Lower-case crisis level of a human message; null or "none" without a disclosure. */
    public String crisisLevel;
    /** referred, partial or missed, for {@link Kind#REFERRAL_OUTCOME}. */
    public String outcome;
    /** Sentiment shift of an ended conversation, if it had one. */
    public Double sentimentShift;
    public String classifierVersion;
    /**
     * When it happened (its record's timestamp): set only on the copy the first phase of the
     * aggregates logs ({@link CellPartials}), with its arrival time in {@link #sourceTime}.
     */
    public long at;

    /** The cells of the aggregates this contribution counts in, as {@code dimension=value}. */
    public List<String> cells() {
        final List<String> cells = new ArrayList<>(5);
        cells.add(Dimensions.ALL + "=" + Dimensions.ALL);
        cells.add(Dimensions.AFFECTIVE_CATEGORY + "=" + orUnknown(category));
        cells.add(Dimensions.LANGUAGE + "=" + orUnknown(language));
        cells.add(Dimensions.MODEL + "=" + orUnknown(model));
        if (kind == Kind.MESSAGE && pushback) {
            cells.add(Dimensions.PUSHBACK_REASON + "=" + orUnknown(pushbackReason));
        }
        return cells;
    }

    /** A dimension value as its cell names it: {@code unknown} when the producer gave none. */
    static String orUnknown(final String v) {
        return v == null || v.isEmpty() ? "unknown" : v;
    }
}
