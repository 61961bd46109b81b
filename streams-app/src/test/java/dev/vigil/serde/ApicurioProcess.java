package dev.vigil.serde;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real Apicurio Registry 2.4.2 (in-memory) for integration tests: the runner jar that
 * {@code deploy/apicurio/build.sh} builds, started as a child process on a free 127.0.0.1 port,
 * with the global compatibility rule set to BACKWARD (Apicurio's default is NONE). The process
 * is killed on {@link #close()} and, should the test JVM exit first, by a shutdown hook.
 */
final class ApicurioProcess implements AutoCloseable {
    static final String RUNNER = "deploy/apicurio/target/vigil-apicurio-registry-2.4.2-runner.jar";
    private static final Duration STARTUP = Duration.ofSeconds(120);

    private final Process process;
    private final Thread killer;
    private final int port;
    private final Path log;

    private ApicurioProcess(final Process process, final int port, final Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.killer = new Thread(process::destroyForcibly, "apicurio-killer");
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /** Starts the registry and waits until it is ready; fails the test when it cannot. */
    static ApicurioProcess start() throws IOException, InterruptedException {
        final Path root = repositoryRoot();
        final Path runner = root.resolve(RUNNER);
        if (!Files.isRegularFile(runner)) {
            fail("Apicurio registry runner " + runner + " is missing: run deploy/apicurio/build.sh "
                    + "(or deploy/ci/install-test-deps.sh) before the integration tests");
        }
        final int port = freePort();
        final Path log = Files.createDirectories(root.resolve("streams-app/target")).resolve("apicurio-it-" + port + ".log");
        final Process process = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-jar", runner.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        final ApicurioProcess apicurio = new ApicurioProcess(process, port, log);
        try {
            apicurio.awaitReady();
            apicurio.setGlobalCompatibility("BACKWARD");
            return apicurio;
        } catch (final IOException | InterruptedException | RuntimeException | AssertionError e) {
            apicurio.close();
            throw e;
        }
    }

    /** The Confluent-compatible API's base URL. */
    String ccompatUrl() {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    private void awaitReady() throws InterruptedException {
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        final Instant deadline = Instant.now().plus(STARTUP);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                fail("Apicurio exited during startup (exit " + process.exitValue() + "); see " + log);
            }
            try {
                final HttpResponse<Void> ready = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/health/ready")).build(), HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (final IOException notYet) {
                // Still starting: nothing listens yet.
            }
            Thread.sleep(250);
        }
        fail("Apicurio not ready on port " + port + " within " + STARTUP + "; see " + log);
    }

    void setGlobalCompatibility(final String level) throws IOException, InterruptedException {
        final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(ccompatUrl() + "/config"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"" + level + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            fail("cannot set Apicurio's global compatibility to " + level + ": HTTP " + response.statusCode() + " " + response.body());
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (final IllegalStateException shuttingDown) {
            // The JVM is exiting; the hook kills the process anyway.
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The repository root: set by Failsafe ({@code vigil.repo.root}), else found from the working directory. */
    static Path repositoryRoot() {
        final String configured = System.getProperty("vigil.repo.root");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("deploy/apicurio"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the repository root (no deploy/apicurio above " + Path.of("").toAbsolutePath() + ")");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
