package dev.vigil.ingest;

/** Why one input could not be accepted: a reason code and a short error that never quotes the text. */
public record Rejection(DeadLetterReason reason, String error) {
}
