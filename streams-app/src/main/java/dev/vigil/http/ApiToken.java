package dev.vigil.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;

/**
 * The bearer token {@code /api/*} requires when one is set: a request must carry exactly one
 * {@code Authorization: Bearer <token>} header. The comparison is of SHA-256 digests with
 * {@link MessageDigest#isEqual}, so the time it takes says nothing about how much of a guess was
 * right, nor about the token's length. The token itself is never logged or printed.
 */
public final class ApiToken {
    /** Shortest token accepted: 16 characters (e.g. {@code openssl rand -hex 32} gives 64). */
    public static final int MIN_LENGTH = 16;
    static final int MAX_LENGTH = 4096;

    private final byte[] digest;

    private ApiToken(final String token) {
        this.digest = sha256(token);
    }

    /**
     * A token as RFC 6750 spells one ({@code A-Z a-z 0-9 - . _ ~ + /}, then any {@code =}),
     * surrounding white space (a file's trailing newline) removed.
     *
     * @throws IllegalArgumentException if it is shorter than {@link #MIN_LENGTH} or has other characters
     */
    public static ApiToken of(final String token) {
        final String t = token == null ? "" : token.strip();
        if (t.length() < MIN_LENGTH || t.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("the HTTP token must be " + MIN_LENGTH + " to " + MAX_LENGTH
                    + " characters long (e.g. openssl rand -hex 32)");
        }
        if (!t.matches("[A-Za-z0-9\\-._~+/]+=*")) {
            throw new IllegalArgumentException("the HTTP token may hold only letters, digits and - . _ ~ + / "
                    + "(then any =), as a bearer token must (e.g. openssl rand -hex 32)");
        }
        return new ApiToken(t);
    }

    /** Whether the {@code Authorization} header values of a request present this token. */
    boolean admits(final List<String> authorization) {
        if (authorization.size() != 1) {
            return false;
        }
        final String value = authorization.get(0);
        final String scheme = "bearer ";
        if (value.length() <= scheme.length()
                || !value.substring(0, scheme.length()).toLowerCase(Locale.ROOT).equals(scheme)) {
            // Still compare, so a missing or foreign scheme takes the time a wrong token does.
            MessageDigest.isEqual(digest, sha256(""));
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(value.substring(scheme.length()).strip()));
    }

    @Override
    public String toString() {
        return "ApiToken[redacted]";
    }

    private static byte[] sha256(final String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
