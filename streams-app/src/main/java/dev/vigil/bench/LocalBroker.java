package dev.vigil.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The local stack's Kafka broker as its own process ({@code deploy/local/start.sh
 * --without-registry --without-vigil}: Kafka's own jars from Maven Central, KRaft, one node) on
 * free ports in a run directory of the benchmark's, stopped with {@code deploy/local/stop.sh}.
 * The benchmark measures the broker the operator would run, not an in-JVM test broker.
 */
final class LocalBroker implements AutoCloseable {
    private final Path local;
    private final Path run;
    private final int port;

    private LocalBroker(final Path local, final Path run, final int port) {
        this.local = local;
        this.run = run;
        this.port = port;
    }

    static LocalBroker start(final Path repoRoot, final Path run) throws IOException, InterruptedException {
        final Path local = repoRoot.resolve("deploy/local");
        final int port = freePort();
        final LocalBroker broker = new LocalBroker(local, run, port);
        broker.script("start.sh", List.of("--without-registry", "--without-vigil", "--clean"));
        return broker;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The jars of the broker and of Kafka's tools, as a class path. */
    String toolsClassPath() {
        return libDir().resolve("*").toString();
    }

    long pid() throws IOException {
        return Long.parseLong(Files.readString(run.resolve("kafka.pid")).trim());
    }

    private Path libDir() {
        final String env = System.getenv("VIGIL_LOCAL_LIB_DIR");
        return env != null ? Path.of(env) : local.resolve("run/lib");
    }

    private void script(final String name, final List<String> args) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of(local.resolve(name).toString()));
        command.addAll(args);
        final ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("VIGIL_LOCAL_RUN_DIR", run.toString());
        pb.environment().put("VIGIL_LOCAL_KAFKA_PORT", Integer.toString(port));
        pb.environment().put("VIGIL_LOCAL_CONTROLLER_PORT", Integer.toString(freePort()));
        pb.environment().putIfAbsent("VIGIL_LOCAL_KAFKA_HEAP", "-Xmx1g");
        final Process p = pb.start();
        final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("deploy/local/" + name + " failed:\n" + output);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        script("stop.sh", List.of());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
