package dev.vigil.bench;

import dev.vigil.cli.VigilCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The soak ({@code vigil bench --soak 10m}): Vigil at half its measured capacity for ten
 * minutes on the local broker process, with lag, heap after GC and state on disk sampled every
 * 10 s; steady means no trend in the second half beyond {@link SoakVerdict}'s bounds. Afterwards
 * every event sent must have exactly one signal, and every published 1-minute all-cell must count
 * exactly the signals of its window. Runs only
 * with {@code -Psoak} (about 12 minutes; {@code .ci/run} includes it).
 */
class SoakIT {
    @TempDir
    Path work;

    @Test
    void shouldKeepLagHeapAndStateFlatForTenMinutesAtHalfCapacity() {
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream original = System.out;
        final int exit;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            exit = VigilCommand.commandLine().execute("bench", "--soak", "10m", "--records", "3000",
                    "--sample-every", "10s", "--work-dir", work.toString());
        } finally {
            System.setOut(original);
        }
        final String out = captured.toString(StandardCharsets.UTF_8);
        original.println(out);
        assertTrue(out.contains("soak: "), out);
        assertTrue(out.contains("soak: every event once, aggregates add up"), "soak outputs wrong:\n" + out);
        assertEquals(0, exit, "soak not steady:\n" + out);
    }
}
