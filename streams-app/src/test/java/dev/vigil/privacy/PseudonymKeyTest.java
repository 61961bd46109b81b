package dev.vigil.privacy;

import dev.vigil.config.MonitoringConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which keys are accepted, and that Vigil has no key of its own that anyone could know. */
class PseudonymKeyTest {
    /** The default Vigil once shipped in its source: anyone could hash candidate ids with it. */
    private static final String FORMER_DEFAULT = "vigil-default-pseudonym-key-change-me";

    @Test
    void shouldHaveNoConstantDefaultKey() {
        final PseudonymKey key = MonitoringConfig.defaults().pseudonymKey();
        assertNotEquals(FORMER_DEFAULT, key.text());
        assertEquals(key, PseudonymKey.of(key.text()), "the default is itself a valid, strong key");
        // Random, not derived from anything fixed: two fresh keys differ, and pseudonyms under them too.
        final PseudonymKey a = PseudonymKey.generate();
        final PseudonymKey b = PseudonymKey.generate();
        assertNotEquals(a, b);
        assertNotEquals(new Pseudonyms(a).pseudonym("acct-1"), new Pseudonyms(b).pseudonym("acct-1"));
        assertEquals(44, a.text().length(), "32 random bytes, Base64");
    }

    @Test
    void shouldRejectTheFormerDefaultAndPlaceholders() {
        assertThrows(IllegalArgumentException.class, () -> PseudonymKey.of(FORMER_DEFAULT));
        assertThrows(IllegalArgumentException.class, () -> PseudonymKey.of(FORMER_DEFAULT.toUpperCase()));
        assertThrows(IllegalArgumentException.class, () -> PseudonymKey.of("replace-me"));
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PseudonymKey.of("Q3x9-change-me-Zt7Lw2pVb8Kd4Rf6Hy1Nm5Jc0Gs"));
        assertTrue(e.getMessage().contains("placeholder"), e.getMessage());
    }

    @Test
    void shouldRejectShortKeysSayingHowToMakeOne() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PseudonymKey.of("Zt7Lw2pVb8Kd4Rf6Hy1Nm5Jc0Gs9aQ"));
        assertTrue(e.getMessage().contains("30 bytes") && e.getMessage().contains("at least 32"), e.getMessage());
        assertTrue(e.getMessage().contains("openssl rand -base64 32"), e.getMessage());
        assertFalse(e.getMessage().contains("Zt7Lw2"), "the message never repeats the key");
        assertThrows(IllegalArgumentException.class, () -> PseudonymKey.of("   "));
        assertThrows(IllegalArgumentException.class, () -> PseudonymKey.of(null));
    }

    @Test
    void shouldRejectLongButRegularKeys() {
        assertThrows(IllegalArgumentException.class, () -> PseudonymKey.of("a".repeat(64)));
        assertThrows(IllegalArgumentException.class, () -> PseudonymKey.of("abcd".repeat(16)));
        assertThrows(IllegalArgumentException.class, () -> PseudonymKey.of("0123456789".repeat(4)));
        assertThrows(IllegalArgumentException.class, () -> PseudonymKey.of("abcdefghijklmnopqrstuvwxyz0123456789"));
        assertThrows(IllegalArgumentException.class, () -> PseudonymKey.of("Zt7Lw2pVb8Kd4Rf6".repeat(4)),
                "a short random block, repeated");
        // Generated ones pass: 32 random bytes as Base64 or as hex.
        PseudonymKey.of("kq2Z9vXw4Lr7Tn1Bc8Yd3Hf6Jm0Ps5Ga+Ue/Wi2Ox4E=");
        PseudonymKey.of("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    }

    @Test
    void shouldReadAKeyFileWithoutItsTrailingNewline(@TempDir final Path dir) throws Exception {
        final PseudonymKey key = PseudonymKey.generate();
        final Path file = Files.writeString(dir.resolve("key"), key.text() + "\n");
        assertEquals(key, PseudonymKey.fromFile(file));
        final IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> PseudonymKey.fromFile(dir.resolve("absent")));
        assertTrue(missing.getMessage().contains("absent"), missing.getMessage());
        final Path shortKey = Files.writeString(dir.resolve("short"), "hunter2\n");
        final IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class,
                () -> PseudonymKey.fromFile(shortKey));
        assertTrue(tooShort.getMessage().startsWith(shortKey.toString()), tooShort.getMessage());
        assertFalse(tooShort.getMessage().contains("hunter2"));
    }

    @Test
    void shouldShowOnlyItsIdWhenPrinted() {
        final PseudonymKey key = PseudonymKey.generate();
        assertFalse(key.toString().contains(key.text()));
        assertTrue(key.toString().contains(key.id()));
        assertFalse(MonitoringConfig.defaults().toString().contains(MonitoringConfig.defaults().pseudonymKey().text()),
                "a logged config does not carry the key");
        assertTrue(key.id().matches("[0-9a-f]{8}"));
    }
}
