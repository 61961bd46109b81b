package dev.vigil.ingest;

import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.Role;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The rules a conversation event must meet before it is classified. A record that breaks one
 * goes to the dead-letter topic instead of reaching the classifier, where a blank id or an
 * unknown role would silently corrupt per-conversation state.
 *
 * <p>Every string a producer controls is bounded here, because each one travels further than
 * the text does: ids key state stores and alerts, and {@code model}, {@code language},
 * {@code country} and {@code surface} become aggregate cells, metric-free HTTP view entries and
 * incident-tool text. An id is 1 to {@value #MAX_ID_CHARS} characters with no whitespace,
 * control or invisible formatting characters (a bidi override in an id would make an alert read
 * differently from what it names); a dimension value is a short label of letters, digits and a
 * few separators.
 */
public final class EventValidator {
    /** Default text limit: far above any chat message, well below what would strain the classifier. */
    public static final int DEFAULT_MAX_TEXT_CHARS = 32_768;
    /** How far an event's own time may be from its Kafka record's timestamp by default. */
    public static final Duration DEFAULT_MAX_SKEW = Duration.ofHours(1);
    /**
     * How long, in event time, an event id is remembered by default, so a redelivery of the same
     * event within it is dropped: producer retries and at-least-once re-sends come within
     * minutes, and the store this takes grows with it (about 100 bytes an event).
     */
    public static final Duration DEFAULT_REDELIVERY_HORIZON = Duration.ofHours(1);
    /** Longer than any UUID, ULID or prefixed database key; short enough for a state-store key. */
    public static final int MAX_ID_CHARS = 128;
    /** A model, surface or country name. */
    public static final int MAX_LABEL_CHARS = 64;
    private static final Pattern LABEL = Pattern.compile("\\p{Alnum}(?:[\\p{Alnum}._:/@+ -]{0,62}[\\p{Alnum}._])?");
    /** ISO 639 / BCP 47 shaped: "en", "pt-BR", "zh-Hant-TW", "und". */
    private static final Pattern LANGUAGE = Pattern.compile("[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8}){0,4}");

    private final int maxTextChars;
    private final long maxSkewMillis;
    private final Duration redeliveryHorizon;

    /**
     * @param maxTextChars      longer texts are dead-lettered
     * @param maxSkew           how far an event's time may be from its record's timestamp
     * @param redeliveryHorizon how long, in event time, an event id is remembered to drop redeliveries
     */
    public EventValidator(final int maxTextChars, final Duration maxSkew, final Duration redeliveryHorizon) {
        if (maxTextChars < 1) {
            throw new IllegalArgumentException("maxTextChars must be positive");
        }
        if (maxSkew.isNegative() || maxSkew.isZero()) {
            throw new IllegalArgumentException("maxSkew must be positive");
        }
        if (redeliveryHorizon.isNegative() || redeliveryHorizon.isZero()) {
            throw new IllegalArgumentException("redeliveryHorizon must be positive");
        }
        this.maxTextChars = maxTextChars;
        this.maxSkewMillis = maxSkew.toMillis();
        this.redeliveryHorizon = redeliveryHorizon;
    }

    public EventValidator(final int maxTextChars) {
        this(maxTextChars, DEFAULT_MAX_SKEW, DEFAULT_REDELIVERY_HORIZON);
    }

    public Duration redeliveryHorizon() {
        return redeliveryHorizon;
    }

    public EventValidator() {
        this(DEFAULT_MAX_TEXT_CHARS);
    }

    public int maxTextChars() {
        return maxTextChars;
    }

    public Duration maxSkew() {
        return Duration.ofMillis(maxSkewMillis);
    }

    /**
     * Largest input record that can hold a valid event: every character of the text at 4 bytes
     * of UTF-8, plus room for the ids, labels and framing. Anything bigger is refused unread.
     */
    public int maxRecordBytes() {
        return (int) Math.min(Integer.MAX_VALUE - 8, 4L * maxTextChars + 8 * MAX_ID_CHARS * 4L + 4096);
    }

    /**
     * A rejection when the event's own time is further than the allowed skew from the
     * timestamp of the Kafka record that carried it, or null. The record's timestamp is the
     * reference, not the wall clock: the broker bounds it ({@code message.timestamp.after.max.ms}
     * and {@code before.max.ms}), and a replay of old data keeps the timestamps it had, so the
     * same record decides the same way live and in a replay. Without this, one event that says
     * 2099 moves stream time and every open window closes on it.
     */
    public Rejection checkTime(final ConversationEvent e, final long recordTimestamp) {
        if (recordTimestamp < 0) {
            return null; // no timestamp on the record; the event's own is all there is
        }
        final long skew = e.getTimestamp().toEpochMilli() - recordTimestamp;
        if (Math.abs(skew) > maxSkewMillis) {
            return new Rejection(DeadLetterReason.SKEWED_TIME, "event time is " + Duration.ofMillis(skew)
                    + " from its record's timestamp, limit " + Duration.ofMillis(maxSkewMillis));
        }
        return null;
    }

    /** The first rule {@code e} breaks, or null when it is fit to classify. */
    public Rejection check(final ConversationEvent e) {
        if (blank(e.getEventId())) {
            return missing("event_id");
        }
        if (blank(e.getConversationId())) {
            return missing("conversation_id");
        }
        if (blank(e.getAccountId())) {
            return missing("account_id");
        }
        Rejection bad = id("event_id", e.getEventId());
        if (bad == null) {
            bad = id("conversation_id", e.getConversationId());
        }
        if (bad == null) {
            bad = id("account_id", e.getAccountId());
        }
        if (bad == null) {
            bad = label("model", e.getModel(), LABEL);
        }
        if (bad == null) {
            bad = label("surface", e.getSurface(), LABEL);
        }
        if (bad == null) {
            bad = label("country", e.getCountry(), LABEL);
        }
        if (bad == null) {
            bad = label("language", e.getLanguage(), LANGUAGE);
        }
        if (bad != null) {
            return bad;
        }
        if (e.getRole() == null || e.getRole() == Role.UNKNOWN) {
            // An unknown writer symbol resolves to the UNKNOWN default: the producer sent a role
            // this version of Vigil does not know.
            return new Rejection(DeadLetterReason.UNKNOWN_ENUM, "role is not HUMAN or ASSISTANT");
        }
        if (e.getText() == null || e.getText().isBlank()) {
            return missing("text");
        }
        if (e.getText().length() > maxTextChars) {
            return new Rejection(DeadLetterReason.OVERSIZE_TEXT,
                    "text has " + e.getText().length() + " characters, limit " + maxTextChars);
        }
        if (e.getTurn() < 0) {
            return new Rejection(DeadLetterReason.INVALID_FIELD, "turn is negative: " + e.getTurn());
        }
        if (e.getTimestamp() == null || e.getTimestamp().toEpochMilli() <= 0) {
            return new Rejection(DeadLetterReason.INVALID_FIELD, "timestamp is not after the epoch");
        }
        return null;
    }

    /** Ids: bounded, and nothing a reader could not see or a terminal, Slack or a log would act on. */
    private static Rejection id(final String field, final String value) {
        if (value.length() > MAX_ID_CHARS) {
            return new Rejection(DeadLetterReason.INVALID_FIELD, field + " has " + value.length()
                    + " characters, limit " + MAX_ID_CHARS);
        }
        for (int i = 0; i < value.length(); ) {
            final int c = value.codePointAt(i);
            if (!visible(c)) {
                return new Rejection(DeadLetterReason.INVALID_FIELD, field + " has a character that is not allowed in an"
                        + " id (U+" + String.format("%04X", c) + " at " + i + ")");
            }
            i += Character.charCount(c);
        }
        return null;
    }

    private static Rejection label(final String field, final String value, final Pattern shape) {
        if (value == null) {
            return null;
        }
        if (value.length() > MAX_LABEL_CHARS || !shape.matcher(value).matches()) {
            return new Rejection(DeadLetterReason.INVALID_FIELD, field + " is not a short label (" + value.length()
                    + " characters; letters, digits and . _ : / @ + - or inner spaces)");
        }
        return null;
    }

    private static boolean visible(final int c) {
        if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
            return false;
        }
        final int type = Character.getType(c);
        return type != Character.FORMAT && type != Character.SURROGATE && type != Character.PRIVATE_USE
                && type != Character.UNASSIGNED;
    }

    private static Rejection missing(final String field) {
        return new Rejection(DeadLetterReason.MISSING_FIELD, field + " is missing or blank");
    }

    private static boolean blank(final String s) {
        return s == null || s.isBlank();
    }
}
