package dev.vigil.app;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

/**
 * The small file through which a running embedded {@code vigil run} tells {@code vigil produce}
 * and {@code vigil tail} (other processes, same working directory) where its broker and
 * registry are, so they need no flags. It is written once everything is up and removed on
 * shutdown; a file left by a killed process names a pid that no longer runs and is ignored.
 */
public final class EmbeddedStackFile {
    public static final String FILE_NAME = "embedded.properties";
    public static final String BOOTSTRAP = "bootstrap.servers";
    public static final String REGISTRY = "schema.registry.url";
    public static final String PID = "pid";

    private EmbeddedStackFile() {
    }

    /** Where the file lives under the data directory (default {@code .vigil}). */
    public static Path path(final Path dataDir) {
        return dataDir.resolve(FILE_NAME);
    }

    public record Stack(String bootstrapServers, String schemaRegistryUrl) {
    }

    public static void write(final Path dataDir, final Stack stack) {
        final Properties p = new Properties();
        p.setProperty(BOOTSTRAP, stack.bootstrapServers());
        p.setProperty(REGISTRY, stack.schemaRegistryUrl());
        p.setProperty(PID, Long.toString(ProcessHandle.current().pid()));
        try {
            Files.createDirectories(dataDir);
            final Path tmp = dataDir.resolve(FILE_NAME + ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, "written by vigil run (embedded broker and registry); removed when it stops");
            }
            Files.move(tmp, path(dataDir), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The stack of a live embedded {@code vigil run}, if one wrote its file here. */
    public static Optional<Stack> read(final Path dataDir) {
        final Path file = path(dataDir);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        final Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (final IOException e) {
            return Optional.empty();
        }
        final String pid = p.getProperty(PID);
        if (pid != null && ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false)) {
            return Optional.of(new Stack(p.getProperty(BOOTSTRAP), p.getProperty(REGISTRY)));
        }
        return Optional.empty();
    }

    public static void delete(final Path dataDir) {
        try {
            Files.deleteIfExists(path(dataDir));
        } catch (final IOException e) {
            // Best effort on shutdown: a stale file names a dead pid and is ignored by readers.
        }
    }
}
