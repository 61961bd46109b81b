package dev.vigil.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * A fresh state directory for each {@code TopologyTestDriver}. Kafka Streams' default,
 * {@code /tmp/kafka-streams/<application id>}, is shared by every run on the machine: a test JVM
 * killed before its driver closed leaves its stores there, and the next run of the same test
 * reads them back (values written under another in-memory registry's schema ids).
 */
public final class TestStateDir {
    private TestStateDir() {
    }

    /** A new, empty directory under the system's temporary folder. */
    public static String fresh() {
        try {
            return Files.createTempDirectory("vigil-test-state").toString();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
