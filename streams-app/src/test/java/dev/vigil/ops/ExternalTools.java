package dev.vigil.ops;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the real Prometheus tools (promtool, amtool, prometheus, alertmanager) from the Debian
 * packages {@code deploy/ci/install-test-deps.sh} installs. A missing tool FAILS the test: a
 * skipped rule test would let a broken rule reach production unnoticed.
 */
public final class ExternalTools {
    private ExternalTools() {
    }

    /** The repository root (failsafe sets {@code vigil.repo.root}; surefire runs from streams-app). */
    public static Path repoRoot() {
        final String prop = System.getProperty("vigil.repo.root");
        final Path root = prop != null ? Path.of(prop) : Path.of("").toAbsolutePath().getParent();
        return root.toAbsolutePath().normalize();
    }

    /**
     * The first of {@code names} found on the PATH (Debian installs Alertmanager as
     * {@code prometheus-alertmanager}, upstream tarballs as {@code alertmanager}); fails if none is.
     */
    public static Path require(final String... names) {
        final String path = System.getenv("PATH");
        if (path != null) {
            for (final String tool : names) {
                for (final String dir : path.split(File.pathSeparator)) {
                    final Path candidate = Path.of(dir, tool);
                    if (Files.isExecutable(candidate)) {
                        return candidate;
                    }
                }
            }
        }
        return fail(String.join(" / ", names) + " is not installed: run deploy/ci/install-test-deps.sh "
                + "(Debian packages prometheus and prometheus-alertmanager)");
    }

    /** The result of a finished command. */
    public record Result(int exitCode, String output) {
    }

    /** Runs a command to completion (stdout and stderr together), killing it after {@code timeout}. */
    public static Result run(final Path workDir, final Duration timeout, final String... command)
            throws IOException, InterruptedException {
        final Path log = Files.createTempFile("vigil-tool", ".log");
        final Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                fail(String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            stop(p);
            Files.deleteIfExists(log);
        }
    }

    /** Starts a long-running program with its output in {@code log}. Stop it with {@link #stop}. */
    public static Process start(final Path workDir, final Path log, final List<String> command) throws IOException {
        return new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    /** Terminates, then kills, a process and its children; safe to call on a finished one. */
    public static void stop(final Process p) {
        if (p == null) {
            return;
        }
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (final InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** A port free on 127.0.0.1 right now. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
