package dev.vigil.app;

import dev.vigil.privacy.PseudonymKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded stack's key: made once, owner-only, and the same on every later start. */
class EmbeddedPseudonymKeyTest {

    @Test
    void shouldMakeTheKeyOnceAndReuseIt(@TempDir final Path dir) throws Exception {
        final Path data = dir.resolve(".vigil");
        assertTrue(EmbeddedPseudonymKey.read(data).isEmpty());
        final EmbeddedPseudonymKey.Loaded first = EmbeddedPseudonymKey.loadOrCreate(data);
        assertTrue(first.created());
        assertEquals(data.resolve("pseudonym.key"), first.file());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first.file())));
        final EmbeddedPseudonymKey.Loaded second = EmbeddedPseudonymKey.loadOrCreate(data);
        assertFalse(second.created());
        assertEquals(first.key(), second.key(), "a restart keeps the key, so pseudonyms stay stable");
        assertEquals(first.key(), EmbeddedPseudonymKey.read(data).orElseThrow());
        assertEquals(first.key(), PseudonymKey.of(Files.readString(first.file())));
        assertEquals(java.util.List.of("pseudonym.key"),
                Files.list(data).map(p -> p.getFileName().toString()).toList(), "no temporary file left");
    }

    @Test
    void shouldMakeAKeyFileOthersCouldReadOwnerOnlyAgain(@TempDir final Path dir) throws Exception {
        final EmbeddedPseudonymKey.Loaded made = EmbeddedPseudonymKey.loadOrCreate(dir);
        Files.setPosixFilePermissions(made.file(), PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(made.key(), EmbeddedPseudonymKey.loadOrCreate(dir).key());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(made.file())));
    }
}
