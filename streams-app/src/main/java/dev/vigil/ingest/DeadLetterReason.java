package dev.vigil.ingest;

import java.util.Locale;

/**
 * Why an input record went to the dead-letter topic. The code is a fixed, low-cardinality
 * string: it is the {@code vigil.dlq.reason} header and the {@code reason} metric label.
 */
public enum DeadLetterReason {
    /** The value is not registry-framed Avro Vigil can read (wrong magic byte, unknown schema, corrupt bytes). */
    UNDESERIALIZABLE,
    /** A line given to {@code vigil produce} is not a JSON object. */
    MALFORMED_JSON,
    /** A required field is absent or blank (event, conversation or account id, text). */
    MISSING_FIELD,
    /** An enum value Vigil does not know, e.g. a role other than HUMAN or ASSISTANT. */
    UNKNOWN_ENUM,
    /** The text is longer than the configured limit. */
    OVERSIZE_TEXT,
    /** A field has a value outside its domain (negative turn, timestamp not after the epoch). */
    INVALID_FIELD,
    /** The record has no value at all (a tombstone on an event topic). */
    NULL_VALUE,
    /** The record is larger than any valid event can be; it is refused unread. */
    OVERSIZE_RECORD,
    /** The event's own time is further from its Kafka record's timestamp than the allowed skew. */
    SKEWED_TIME,
    /**
     * An event id seen before with different content: not a redelivery (those are dropped and
     * counted), so it is kept here rather than silently dropped as one.
     */
    REUSED_EVENT_ID,
    /** The classifier failed on this event; the event is kept here rather than halting its partition. */
    CLASSIFIER_ERROR,
    /** A line given to {@code vigil produce} is not valid UTF-8 (bad, overlong or truncated sequences, encoded surrogates). */
    INVALID_UTF8,
    /** A line given to {@code vigil produce} is longer than a line is read whole; it is not parsed. */
    OVERSIZE_LINE,
    /** The producer or the broker refused the record as larger than its size limit. */
    RECORD_TOO_LARGE;

    /** {@code MISSING_FIELD} becomes {@code missing-field}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
