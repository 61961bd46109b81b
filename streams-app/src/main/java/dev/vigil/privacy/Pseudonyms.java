package dev.vigil.privacy;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * Keyed hash (HMAC-SHA256) of account and conversation ids. State stores and alerts hold these
 * pseudonyms, never raw account ids; without the key they cannot be reversed by hashing guesses,
 * with it a safeguards analyst can confirm which account an alert meant
 * ({@code vigil resolve-pseudonym}). The key is a deployment's secret: see {@link PseudonymKey}.
 */
public final class Pseudonyms {
    private final SecretKeySpec key;
    /**
     * One initialised Mac per thread: every published signal and summary takes pseudonyms, and
     * looking up and keying a Mac costs more than the hash itself. doFinal resets it for reuse.
     */
    private final ThreadLocal<Mac> macs;

    public Pseudonyms(final PseudonymKey key) {
        this.key = new SecretKeySpec(key.bytes(), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    private Mac newMac() {
        try {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JRE", e);
        }
    }

    private byte[] mac(final String id) {
        return macs.get().doFinal(id.getBytes(StandardCharsets.UTF_8));
    }

    /** 16 hex digits: the pseudonym shown in alerts. */
    public String pseudonym(final String id) {
        return HexFormat.of().formatHex(mac(id), 0, 8);
    }

    /** The same keyed hash as a number, for distinct counting. */
    public long hash64(final String id) {
        return ByteBuffer.wrap(mac(id), 0, 8).getLong();
    }
}
