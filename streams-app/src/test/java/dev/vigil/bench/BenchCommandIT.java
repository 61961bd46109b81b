package dev.vigil.bench;

import dev.vigil.cli.VigilCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code vigil bench} with tiny sizes, so the command cannot silently rot: it must start the
 * local broker process, measure Kafka's ceiling and Vigil end to end and at a fixed load, print
 * the summary, and leave no process behind.
 */
class BenchCommandIT {
    @TempDir
    Path work;

    @Test
    void shouldMeasureTheCeilingAndVigilAndStopEverythingItStarted() throws Exception {
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream original = System.out;
        final int exit;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            exit = VigilCommand.commandLine().execute("bench", "--repeats", "1", "--records", "400",
                    "--perf-records", "5000", "--rates", "50", "--phase", "3s", "--warm-up", "1s",
                    "--vigil-jvm", "-Xmx512m", "--work-dir", work.toString());
        } finally {
            System.setOut(original);
        }
        final String out = captured.toString(StandardCharsets.UTF_8);
        original.println(out);
        assertEquals(0, exit, out);
        assertTrue(positive(out, "Kafka ProducerPerformance: +([\\d,]+) records/s"), out);
        assertTrue(positive(out, "Kafka ConsumerPerformance: +([\\d,]+) records/s"), out);
        assertTrue(positive(out, "Vigil end to end: +([\\d,]+) records/s"), out);
        assertTrue(positive(out, "signals, second half: +([\\d,]+) records/s"), out);
        assertTrue(out.contains("Vigil / produce ceiling:"), out);
        assertTrue(Pattern.compile("at 50% \\([\\d,]+/s\\): event->signal p50 [\\d,]+ ms").matcher(out).find(), out);
        assertTrue(out.contains("machine: "), out);

        final List<String> leftovers = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(h -> h.info().commandLine()
                .filter(c -> c.contains(work.toString())).ifPresent(leftovers::add));
        assertEquals(List.of(), leftovers, "no broker or vigil run left running");
    }

    private static boolean positive(final String out, final String regex) {
        final Matcher m = Pattern.compile(regex).matcher(out);
        return m.find() && Double.parseDouble(m.group(1).replace(",", "")) > 0;
    }
}
