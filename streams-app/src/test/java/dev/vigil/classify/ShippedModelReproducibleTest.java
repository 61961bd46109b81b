package dev.vigil.classify;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * About the shared labelled data: {@code vigil train} on {@code ../shared/data} reproduces the
 * shipped weights byte for byte (fixed seeds, fixed order), so anyone can check where the model
 * came from. Skipped (reported as skipped) where the shared data is not beside the repository.
 */
class ShippedModelReproducibleTest {

    @Test
    void shouldReproduceTheShippedModelFromTheSharedData(@TempDir final Path out) throws Exception {
        final String data = System.getProperty("vigil.shared.data");
        assumeTrue(data != null && Files.isDirectory(Path.of(data, "sentiment-sst5")),
                "shared data not found (system property vigil.shared.data)");
        Commands.train(Path.of(data), out, new PrintStream(new ByteArrayOutputStream()));
        final byte[] shipped;
        try (InputStream in = LinearModels.class.getResourceAsStream(LinearModels.RESOURCE)) {
            shipped = in.readAllBytes();
        }
        assertArrayEquals(shipped, Files.readAllBytes(out.resolve(LinearModels.RESOURCE)),
                "retraining gave different weights: commit the retrained model with the change that caused it");
    }
}
