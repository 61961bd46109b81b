package dev.vigil.app;

import dev.vigil.privacy.PseudonymKey;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The pseudonym key of the embedded stack: made at random the first time {@code vigil run} starts
 * without a cluster, kept in its data directory ({@value #FILE_NAME}, readable by its owner only)
 * and read again on every later start and by {@code vigil replay} against the same stack, so an
 * account keeps its pseudonym across restarts and replays. {@code --fresh} keeps it: it wipes
 * data, not the key of pseudonyms already handed out.
 */
public final class EmbeddedPseudonymKey {
    public static final String FILE_NAME = "pseudonym.key";
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);

    private EmbeddedPseudonymKey() {
    }

    /** The key and whether this call made it. */
    public record Loaded(PseudonymKey key, Path file, boolean created) {
    }

    public static Path path(final Path dataDir) {
        return dataDir.resolve(FILE_NAME);
    }

    /** The stack's key if it has one. */
    public static Optional<PseudonymKey> read(final Path dataDir) {
        final Path file = path(dataDir);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        tightenPermissions(file);
        return Optional.of(PseudonymKey.fromFile(file));
    }

    /** The stack's key, made and stored (owner-only) if there is none yet. */
    public static Loaded loadOrCreate(final Path dataDir) {
        final Optional<PseudonymKey> existing = read(dataDir);
        if (existing.isPresent()) {
            return new Loaded(existing.get(), path(dataDir), false);
        }
        final PseudonymKey key = PseudonymKey.generate();
        final Path file = path(dataDir);
        try {
            Files.createDirectories(dataDir);
            // Written beside the final name and moved into place, so a crash never leaves a
            // partial key; created owner-only, so the key is never readable by others, not even briefly.
            final Path tmp = dataDir.resolve(FILE_NAME + ".tmp");
            Files.deleteIfExists(tmp);
            Files.write(create(tmp), (key.text() + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.WRITE,
                    StandardOpenOption.SYNC);
            try {
                Files.createLink(file, tmp);
                Files.delete(tmp);
            } catch (final FileAlreadyExistsException e) {
                // Another start made one first: use that.
                Files.delete(tmp);
                return new Loaded(PseudonymKey.fromFile(file), file, false);
            } catch (final UnsupportedOperationException | IOException e) {
                if (Files.exists(file)) {
                    Files.delete(tmp);
                    return new Loaded(PseudonymKey.fromFile(file), file, false);
                }
                Files.move(tmp, file);
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot store the pseudonym key in " + file, e);
        }
        return new Loaded(key, file, true);
    }

    private static Path create(final Path file) throws IOException {
        if (Files.getFileStore(file.getParent()).supportsFileAttributeView("posix")) {
            final FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
            return Files.createFile(file, attr);
        }
        final Path created = Files.createFile(file);
        final java.io.File f = created.toFile();
        // Not POSIX (Windows): the closest the JDK offers.
        f.setReadable(false, false);
        f.setReadable(true, true);
        f.setWritable(false, false);
        f.setWritable(true, true);
        return created;
    }

    /** A key file others can read (copied, or restored from a backup) is made owner-only again. */
    private static void tightenPermissions(final Path file) {
        try {
            final Set<PosixFilePermission> now = Files.getPosixFilePermissions(file);
            if (!OWNER_ONLY.containsAll(now)) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
                System.err.println("vigil: " + file + " was readable by others; made owner-only ("
                        + PosixFilePermissions.toString(now) + " -> rw-------)");
            }
        } catch (final UnsupportedOperationException e) {
            // Not a POSIX file system.
        } catch (final IOException e) {
            // Not our file to change (e.g. read-only mount): reading it still works.
        }
    }
}
