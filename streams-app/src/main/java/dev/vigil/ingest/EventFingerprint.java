package dev.vigil.ingest;

import dev.vigil.schema.ConversationEvent;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A 64-bit digest of everything an event says, to tell a redelivery (the same event again) from
 * a different event under a reused id. It reads the decoded fields, not the bytes, so a copy
 * re-encoded under a newer schema id is still the same event. Each field is length-prefixed, so
 * no two different events share an input to the digest.
 */
final class EventFingerprint {
    /** One digest per thread: every valid event is fingerprinted; digest() resets it for reuse. */
    private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (final NoSuchAlgorithmException x) {
            throw new IllegalStateException("SHA-256 is part of every JRE", x);
        }
    });

    private EventFingerprint() {
    }

    static long of(final ConversationEvent e) {
        final MessageDigest digest = DIGESTS.get();
        add(digest, e.getConversationId());
        add(digest, e.getAccountId());
        add(digest, e.getRole() == null ? null : e.getRole().name());
        add(digest, e.getText());
        add(digest, e.getLanguage());
        add(digest, e.getCountry());
        add(digest, e.getModel());
        add(digest, e.getSurface());
        digest.update(ByteBuffer.allocate(12).putInt(e.getTurn()).putLong(e.getTimestamp().toEpochMilli()).array());
        return ByteBuffer.wrap(digest.digest()).getLong();
    }

    private static void add(final MessageDigest digest, final CharSequence value) {
        if (value == null) {
            digest.update((byte) 0);
            return;
        }
        final byte[] b = value.toString().getBytes(StandardCharsets.UTF_8);
        digest.update((byte) 1);
        digest.update(ByteBuffer.allocate(4).putInt(b.length).array());
        digest.update(b);
    }
}
