package dev.vigil.privacy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The secret key of the keyed hash ({@link Pseudonyms}) that turns account ids into pseudonyms.
 * Without it nobody can tell which account a pseudonym names, however many candidate ids they
 * hash; with it, a responder can ({@code vigil resolve-pseudonym}). Every instance and every
 * replay of a deployment must use the same key, or the same account gets different pseudonyms.
 *
 * <p>A key is text (a file's content or an environment variable, surrounding whitespace
 * dropped) whose UTF-8 bytes key HMAC-SHA256. It must be at least {@value #MIN_BYTES} bytes, not
 * a key known to have been published, and not obviously regular (see {@link #estimatedBits}: at
 * least {@value #MIN_ESTIMATED_BITS} bits). Those checks catch mistakes such as a
 * placeholder or a short word; they cannot prove randomness, so generate keys with
 * {@link #generate()} or {@code openssl rand -base64 32}.
 *
 * <p>{@link #toString()} shows only the key's {@link #id()}, so a key in a logged object does not leak.
 */
public final class PseudonymKey {
    /** Fewest bytes of key material accepted. */
    public static final int MIN_BYTES = 32;
    /** Fewest bits a key's character statistics must suggest (see {@link #estimatedBits}). */
    public static final int MIN_ESTIMATED_BITS = 128;
    /** Random bytes in a generated key (Base64-encoded: 44 characters). */
    static final int GENERATED_BYTES = 32;

    /**
     * Keys that have been public: the default Vigil shipped in its source before keys had to be
     * supplied, and the placeholders of its example files. Compared case-insensitively.
     */
    private static final List<String> PUBLISHED = List.of(
            "vigil-default-pseudonym-key-change-me");
    /** Placeholder words: a key containing one was copied from an example, not generated. */
    private static final List<String> PLACEHOLDERS = List.of("change-me", "changeme", "replace-me", "replaceme",
            "example", "placeholder", "secret-here", "your-key");

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String text;
    private final String id;

    private PseudonymKey(final String text) {
        this.text = text;
        this.id = computeId(text);
    }

    /**
     * The key {@code text} (surrounding whitespace dropped), if it is strong enough.
     *
     * @throws IllegalArgumentException saying what is wrong with it, and never the key itself
     */
    public static PseudonymKey of(final String text) {
        if (text == null) {
            throw new IllegalArgumentException("the pseudonym key is empty");
        }
        final String key = text.strip();
        final int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < MIN_BYTES) {
            throw new IllegalArgumentException("the pseudonym key is " + bytes + " bytes; at least " + MIN_BYTES
                    + " are needed: generate one with `openssl rand -base64 32`");
        }
        final String lower = key.toLowerCase(Locale.ROOT);
        if (PUBLISHED.contains(lower) || PLACEHOLDERS.stream().anyMatch(lower::contains)) {
            throw new IllegalArgumentException("the pseudonym key is a published default or an example placeholder, "
                    + "so anyone can compute its pseudonyms: generate one with `openssl rand -base64 32`");
        }
        final double bits = estimatedBits(key);
        if (bits < MIN_ESTIMATED_BITS) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "the pseudonym key is too regular to be random (its characters carry about %.0f bits; at least %d "
                            + "are needed): generate one with `openssl rand -base64 32`", bits, MIN_ESTIMATED_BITS));
        }
        return new PseudonymKey(key);
    }

    /** A new random key: {@value #GENERATED_BYTES} bytes from {@link SecureRandom}, Base64-encoded. */
    public static PseudonymKey generate() {
        final byte[] bytes = new byte[GENERATED_BYTES];
        RANDOM.nextBytes(bytes);
        return of(Base64.getEncoder().encodeToString(bytes));
    }

    /**
     * A random key made once per JVM: pseudonyms agree within this process and nowhere else, and
     * cannot be resolved once it exits. For tests and throwaway runs; {@code vigil run} and
     * {@code vigil replay} always use a key that is kept (a file, the environment, or the embedded
     * stack's data directory).
     */
    public static PseudonymKey ephemeral() {
        return Ephemeral.KEY;
    }

    private static final class Ephemeral {
        static final PseudonymKey KEY = generate();
    }

    /**
     * Reads a key from a file: its whole content, surrounding whitespace (a trailing newline)
     * dropped.
     *
     * @throws IllegalArgumentException if the file cannot be read or holds no acceptable key
     */
    public static PseudonymKey fromFile(final Path file) {
        final String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new IllegalArgumentException("cannot read the pseudonym key file " + file + " ("
                    + e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "") + ")");
        } catch (final RuntimeException e) {
            // MalformedInputException is an IOException; anything else here is a path problem.
            throw new IllegalArgumentException("cannot read the pseudonym key file " + file + ": " + e.getMessage());
        }
        try {
            return of(content);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    /**
     * Bits the key's characters could carry, judged by their statistics alone: a key that repeats
     * a shorter block counts as that block; then the fewer of its length times the Shannon entropy
     * of its characters and of the steps between neighbouring characters (so "aaaa...", "abcdabcd..."
     * and "0123456789..." score low, a Base64 key of 32 random bytes about 210). An upper bound
     * on the real entropy, never a measure of it: "correct horse battery staple" scores well.
     */
    static double estimatedBits(final String key) {
        final int[] all = key.codePoints().toArray();
        int period = all.length;
        for (int p = 1; p <= all.length / 2 && period == all.length; p++) {
            boolean repeats = true;
            for (int i = p; i < all.length && repeats; i++) {
                repeats = all[i] == all[i - p];
            }
            if (repeats) {
                period = p;
            }
        }
        final int[] block = java.util.Arrays.copyOf(all, period);
        final int[] steps = new int[Math.max(0, block.length - 1)];
        for (int i = 1; i < block.length; i++) {
            steps[i - 1] = block[i] - block[i - 1];
        }
        return Math.min(entropy(block) * block.length, entropy(steps) * steps.length);
    }

    /** Shannon entropy, in bits per symbol, of the symbols' frequencies. */
    private static double entropy(final int[] symbols) {
        final Map<Integer, Integer> counts = new HashMap<>();
        for (final int s : symbols) {
            counts.merge(s, 1, Integer::sum);
        }
        double bits = 0;
        for (final int count : counts.values()) {
            final double p = (double) count / symbols.length;
            bits -= p * Math.log(p) / Math.log(2);
        }
        return bits;
    }

    /** The key's bytes for the HMAC. */
    byte[] bytes() {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The key itself, to be written to a file that only its owner can read, or handed to a
     * child process; never print or log it.
     */
    public String text() {
        return text;
    }

    /**
     * A short public name of the key (8 hex digits of a SHA-256 of it): printed at start so
     * operators can check that every instance uses the same key, and by the resolve command to
     * say which key matched. It reveals nothing usable about the key.
     */
    public String id() {
        return id;
    }

    private static String computeId(final String text) {
        try {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("vigil pseudonym key id\0".getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8)), 0, 4);
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof PseudonymKey other && MessageDigest.isEqual(bytes(), other.bytes());
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "PseudonymKey[id=" + id + "]";
    }
}
