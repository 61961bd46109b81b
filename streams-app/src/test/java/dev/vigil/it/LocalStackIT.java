package dev.vigil.it;

import dev.vigil.classify.Classifiers;
import dev.vigil.serde.SchemaRegistries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Drives {@code deploy/local/start.sh} and {@code stop.sh} as a user would and checks that stop
 * leaves no process behind: every pid the scripts recorded is gone, and no process still
 * mentions the stack's run directory.
 */
class LocalStackIT {
    private static final Path ROOT = Path.of(System.getProperty("vigil.repo.root", "..")).toAbsolutePath().normalize();
    private static final Path LOCAL = ROOT.resolve("deploy/local");

    @TempDir
    Path run;

    @Test
    void shouldStopTheKafkaBrokerProcessItStarted() throws Exception {
        final int port = freePort();
        script("start.sh", port, "--without-registry", "--without-vigil");
        final long kafka = pid("kafka.pid");
        assertTrue(ProcessHandle.of(kafka).map(ProcessHandle::isAlive).orElse(false), "Kafka process running");
        assertTrue(accepts(port), "Kafka listening on " + port);

        script("stop.sh", port);
        assertGone(List.of(kafka));
    }

    @Test
    void shouldStartAndStopKafkaTheRegistryAndVigil() throws Exception {
        assumeTrue(Files.isExecutable(ROOT.resolve("deploy/apicurio/start.sh")), "deploy/apicurio/start.sh present");
        assumeTrue(works(() -> SchemaRegistries.forUrl("http://127.0.0.1:1/apis/ccompat/v7", Map.of())),
                "an HTTP schema registry client is available");
        assumeTrue(works(Classifiers::standard), "the standard classifier is available");
        final int port = freePort();
        script("start.sh", port);
        final List<Long> pids = List.of(pid("vigil.pid"), pid("apicurio/apicurio.pid"), pid("kafka.pid"));
        for (final long p : pids) {
            assertTrue(ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false), "process " + p + " running");
        }
        script("stop.sh", port);
        assertGone(pids);
    }

    private void assertGone(final List<Long> pids) {
        for (final long p : pids) {
            assertTrue(ProcessHandle.of(p).map(h -> !h.isAlive()).orElse(true), "process " + p + " stopped");
        }
        final List<String> leftovers = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(h -> h.info().commandLine()
                .filter(c -> c.contains(run.toString())).ifPresent(leftovers::add));
        assertEquals(List.of(), leftovers, "no process mentions the stack's run directory");
        assertTrue(!Files.exists(run.resolve("kafka.pid")), "pid file removed");
    }

    private void script(final String name, final int kafkaPort, final String... args) throws Exception {
        final List<String> command = new ArrayList<>(List.of(LOCAL.resolve(name).toString()));
        command.addAll(List.of(args));
        final ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("VIGIL_LOCAL_RUN_DIR", run.toString());
        pb.environment().put("VIGIL_LOCAL_KAFKA_PORT", Integer.toString(kafkaPort));
        pb.environment().put("VIGIL_LOCAL_CONTROLLER_PORT", Integer.toString(freePort()));
        pb.environment().put("VIGIL_LOCAL_REGISTRY_PORT", Integer.toString(freePort()));
        final Process p = pb.start();
        final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), name + " finished");
        assertEquals(0, p.exitValue(), name + " failed:\n" + output);
    }

    private long pid(final String file) throws IOException {
        return Long.parseLong(Files.readString(run.resolve(file)).trim());
    }

    private static boolean works(final Runnable r) {
        try {
            r.run();
            return true;
        } catch (final RuntimeException e) {
            return false;
        }
    }

    private static boolean accepts(final int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (final IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
