package dev.vigil.ingest;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The reason label a dead letter is counted under never comes from the record unchecked. */
class CommittedDeadLettersTest {

    private static ConsumerRecord<byte[], byte[]> withReason(final String reason) {
        final ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("events.dlq", 0, 0L, null, new byte[0]);
        if (reason != null) {
            r.headers().add(DeadLetters.REASON, reason.getBytes(StandardCharsets.UTF_8));
        }
        return r;
    }

    @Test
    void shouldCountEachKnownReasonUnderItsOwnCode() {
        for (final DeadLetterReason reason : DeadLetterReason.values()) {
            final ConsumerRecord<byte[], byte[]> r = withReason(null);
            r.headers().add(DeadLetters.REASON, reason.code().getBytes(StandardCharsets.UTF_8));
            assertEquals(reason.code(), CommittedDeadLetters.reason(r));
        }
    }

    @Test
    void shouldCountAnythingElseAsUnknownSoNoRecordChoosesALabel() {
        for (final String forged : new String[] {null, "", "x".repeat(10_000), "skewed-time\"} 1\nfake_metric{a=\"",
            "MISSING_FIELD", "user-12345"}) {
            assertEquals("unknown", CommittedDeadLetters.reason(withReason(forged)), String.valueOf(forged));
        }
        assertEquals("unknown", CommittedDeadLetters.reason(
                new ConsumerRecord<>("t", 0, 0L, null, new byte[0])), "no headers at all");
    }
}
