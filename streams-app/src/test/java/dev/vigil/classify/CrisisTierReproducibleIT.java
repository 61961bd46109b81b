package dev.vigil.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vigil.classify.train.CrisisTrainer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil train --only crisis} reproduces the shipped semantic crisis tier byte for byte from
 * the training sets in the repository and the shared data (the encoder's distillation included),
 * so anyone can check where the crisis grade came from. A few minutes: an integration test.
 * Skipped (reported as skipped) where the shared data is not beside the repository.
 */
class CrisisTierReproducibleIT {

    @Test
    void shouldReproduceTheShippedCrisisTierFromItsTrainingData(@TempDir final Path out) throws Exception {
        final String data = System.getProperty("vigil.shared.data");
        final String root = System.getProperty("vigil.repo.root");
        assumeTrue(data != null && Files.isDirectory(Path.of(data, "polarity-goemotions")) && root != null,
                "shared data not found (system properties vigil.shared.data, vigil.repo.root)");
        CrisisTrainer.trainAndSave(Path.of(root), Path.of(data), out, new PrintStream(new ByteArrayOutputStream()));
        final byte[] shipped;
        try (InputStream in = SemanticCrisis.class.getResourceAsStream(SemanticCrisis.RESOURCE)) {
            shipped = in.readAllBytes();
        }
        assertArrayEquals(shipped, Files.readAllBytes(out.resolve(SemanticCrisis.RESOURCE)),
                "retraining gave a different crisis tier: commit the retrained tier with the change that caused it");
    }
}
