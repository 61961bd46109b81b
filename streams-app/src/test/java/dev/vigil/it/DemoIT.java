package dev.vigil.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's run path as a newcomer follows it: {@code vigil run --demo} as its own process
 * (the packaged {@code target/vigil.jar}, which {@code mvn verify} builds before the integration
 * tests; the test JVM's class path with {@code dev.vigil.cli.VigilCommand} when the jar is
 * missing), then {@code vigil tail signals} and {@code vigil tail alerts} as two more processes,
 * finding the embedded stack through the data directory. Signals and at least one alert must
 * appear within a bounded time, and the monitor must stop on SIGTERM.
 *
 * <p>Every process gets its own data directory and free ports, and is killed whatever the outcome.
 */
class DemoIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STARTUP = Duration.ofSeconds(120);
    /** The welcome text promises alerts within about a minute; allow a slow CI machine double. */
    private static final Duration FIRST_ALERT = Duration.ofSeconds(150);

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killEverything() throws InterruptedException {
        for (final Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldShowSignalsAndAnAlertInTailWithinMinutesOfRunDemo(@TempDir final Path dir) throws Exception {
        final Path data = dir.resolve("data");
        final int httpPort = freePort();
        final Path runLog = dir.resolve("run.log");
        final Process run = start(runLog, "-Xmx512m", "run", "--demo", "--data-dir", data.toString(),
                "--broker-port", Integer.toString(freePort()), "--controller-port", Integer.toString(freePort()),
                "--registry-port", Integer.toString(freePort()), "--http-port", Integer.toString(httpPort));

        await("welcome text").atMost(STARTUP).pollInterval(Duration.ofMillis(500))
                .until(() -> Files.readString(runLog).contains("Stop with Ctrl-C.") || !run.isAlive());
        final String welcome = Files.readString(runLog);
        assertTrue(run.isAlive(), "vigil run --demo exited:\n" + welcome);
        assertTrue(welcome.contains("http://127.0.0.1:" + httpPort + "/metrics"), welcome);
        assertTrue(welcome.contains("./vigil tail alerts --data-dir " + data), "tail command for this data dir:\n" + welcome);

        final Path signalsOut = dir.resolve("signals.jsonl");
        final Path alertsOut = dir.resolve("alerts.jsonl");
        final Process signals = start(signalsOut, "-Xmx128m", "tail", "signals", "--data-dir", data.toString(),
                "--max", "20", "--timeout", "60s");
        final Process alerts = start(alertsOut, "-Xmx128m", "tail", "alerts", "--data-dir", data.toString(),
                "--max", "1", "--timeout", FIRST_ALERT.toSeconds() + "s");

        assertTrue(signals.waitFor(90, TimeUnit.SECONDS), "tail signals finished after --max records");
        final List<JsonNode> signalLines = jsonLines(signalsOut);
        assertEquals(20, signalLines.size(), "20 signals printed:\n" + Files.readString(signalsOut));
        for (final JsonNode s : signalLines) {
            assertEquals("safety.message-signals", s.path("topic").asText());
            assertTrue(s.path("value").has("classifier_version"), s.toString());
            assertFalse(s.path("value").has("text"), "no conversation text in signals: " + s);
        }

        assertTrue(alerts.waitFor(FIRST_ALERT.toSeconds() + 30, TimeUnit.SECONDS), "tail alerts finished");
        final List<JsonNode> alertLines = jsonLines(alertsOut);
        assertEquals(1, alertLines.size(), "an alert within " + FIRST_ALERT + ":\n" + Files.readString(alertsOut));
        final JsonNode alert = alertLines.get(0).path("value");
        assertFalse(alert.path("type").asText().isEmpty(), alert.toString());
        assertTrue(alert.path("runbook_url").asText().endsWith(".md"), alert.toString());

        // The same process serves what the welcome text promised.
        final HttpClient http = HttpClient.newHttpClient();
        final HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("vigil_messages_classified_total"), "domain metrics served");
        await("alert in /api/alerts").atMost(Duration.ofSeconds(30)).until(() -> http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/api/alerts")).build(),
                HttpResponse.BodyHandlers.ofString()).body().contains("\"alert_id\""));

        // Ctrl-C (SIGTERM): everything closes and the process ends on its own.
        run.destroy();
        assertTrue(run.waitFor(60, TimeUnit.SECONDS), "vigil run stopped on SIGTERM:\n" + Files.readString(runLog));
    }

    /** A vigil command as its own JVM: the packaged jar when it is there, else this JVM's class path. */
    private Process start(final Path output, final String heap, final String... args) throws IOException {
        final List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), heap));
        final Path jar = Path.of("target", "vigil.jar").toAbsolutePath();
        if (Files.isRegularFile(jar)) {
            command.addAll(List.of("-jar", jar.toString()));
        } else {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.vigil.cli.VigilCommand"));
        }
        command.addAll(List.of(args));
        final Process p = new ProcessBuilder(command).redirectErrorStream(false)
                .redirectOutput(output.toFile())
                .redirectError(output.resolveSibling(output.getFileName() + ".err").toFile()).start();
        processes.add(p);
        return p;
    }

    private static List<JsonNode> jsonLines(final Path file) throws IOException {
        final List<JsonNode> out = new ArrayList<>();
        for (final String line : Files.readAllLines(file)) {
            if (line.startsWith("{")) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
