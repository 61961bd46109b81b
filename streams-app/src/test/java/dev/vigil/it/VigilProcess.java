package dev.vigil.it;

import dev.vigil.config.MonitoringConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code vigil run} as a child JVM on the test's class path, the way an operator runs it: its
 * standard output and error go to a file the test can read, and it can be stopped (SIGTERM) or
 * killed (SIGKILL, {@link Process#destroyForcibly()}) mid-stream. Logging uses the shipped
 * {@code log4j2.xml}, not the test one, so the privacy test sees what production logs. It gets a
 * pseudonym key in {@code VIGIL_PSEUDONYM_KEY} unless the test's environment names one.
 *
 * <p>A JVM shutdown hook kills any child still alive, so an aborted test run leaves no process.
 */
public final class VigilProcess implements AutoCloseable {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "vigil-it-kill-children"));
    }

    private final Process process;
    private final Path output;

    private VigilProcess(final Process process, final Path output) {
        this.process = process;
        this.output = output;
    }

    /**
     * Starts {@code vigil run <args>}; {@code output} receives its standard output and error
     * (appended, so a restarted process adds to the same file).
     */
    public static VigilProcess run(final Path output, final Map<String, String> env, final List<String> args) throws IOException {
        return start(output, env, "run", args);
    }

    /** Starts {@code vigil <job> <args>} (e.g. {@code route-alerts}) the same way. */
    public static VigilProcess start(final Path output, final Map<String, String> env, final String job,
                                     final List<String> args) throws IOException {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Dlog4j2.configurationFile=log4j2.xml");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.vigil.cli.VigilCommand");
        command.add(job);
        command.addAll(args);
        final ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        pb.environment().putAll(env);
        if (!env.containsKey("VIGIL_PSEUDONYM_KEY") && !env.containsKey("VIGIL_PSEUDONYM_KEY_FILE")) {
            // Against a cluster `vigil run` needs the deployment's key: the one this test JVM's
            // MonitoringConfig uses, so a child's pseudonyms equal those computed in the test.
            pb.environment().remove("VIGIL_PSEUDONYM_KEY_FILE");
            pb.environment().put("VIGIL_PSEUDONYM_KEY", MonitoringConfig.defaults().pseudonymKey().text());
        }
        final Process p = pb.start();
        LIVE.add(p);
        return new VigilProcess(p, output);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no last commit, no clean leave of the group. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        LIVE.remove(process);
    }

    /** SIGTERM, then SIGKILL if it has not stopped within the timeout; returns the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        LIVE.remove(process);
        return process.exitValue();
    }

    /** Everything the process printed so far. */
    public String output() throws IOException {
        return Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
        LIVE.remove(process);
    }
}
