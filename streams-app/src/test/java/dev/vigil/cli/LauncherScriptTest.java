package dev.vigil.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@code ./vigil} launcher in a copy of the repository's layout, with a stand-in {@code mvn}
 * that records each build (and, like Maven, leaves an unchanged jar alone) and a stand-in
 * {@code java}: when it builds, how often, and what reaches the terminal.
 */
class LauncherScriptTest {
    private static final Instant LONG_AGO = Instant.now().minus(Duration.ofHours(2));

    @TempDir
    Path tree;

    private Path builds;

    @BeforeEach
    void layOutTheTree() throws IOException {
        Files.copy(Path.of("..", "vigil"), tree.resolve("vigil"));
        for (final String file : List.of("pom.xml", "schemas/pom.xml", "schemas/src/main/avro/Event.avsc",
                "streams-app/pom.xml", "streams-app/src/main/java/App.java")) {
            write(tree.resolve(file), "x", LONG_AGO);
        }
        builds = tree.resolve("builds.log");
        final Path bin = tree.resolve("bin");
        // A build takes a second, so two launchers started together overlap if nothing stops them.
        script(bin.resolve("mvn"), "echo start >> '" + builds + "'\n"
                + "printf '\\033[0m\\033[0m'\n"
                + "sleep 1\n"
                + "jar=streams-app/target/vigil.jar\n"
                + "mkdir -p streams-app/target\n"
                + "[ -f \"$jar\" ] || echo jar > \"$jar\"\n"
                + "echo end >> '" + builds + "'\n");
        script(bin.resolve("java"), "echo \"ran $*\"\n");
    }

    @Test
    void shouldBuildOnceAndThenRunWithoutBuilding() throws Exception {
        assertTrue(launch("help").endsWith("ran -XX:+UseParallelGC -jar " + tree.resolve("streams-app/target/vigil.jar") + " help\n"));
        assertEquals("ran -XX:+UseParallelGC -jar " + tree.resolve("streams-app/target/vigil.jar") + " help\n", launch("help"),
                "a fresh jar: no build, nothing before the command's own output");
        assertEquals(List.of("start", "end"), builds());
    }

    @Test
    void shouldRunTheThroughputCollectorUnlessTheOptionsPickOne() throws Exception {
        final String jar = tree.resolve("streams-app/target/vigil.jar").toString();
        assertTrue(launch("help").endsWith("ran -XX:+UseParallelGC -jar " + jar + " help\n"));
        assertEquals("ran -XX:+UseParallelGC -Xmx2g -jar " + jar + " help\n", launch(List.of("-Xmx2g"), "help"),
                "options beside the collector");
        assertEquals("ran -Xmx2g -XX:+UseG1GC -jar " + jar + " help\n", launch(List.of("-Xmx2g", "-XX:+UseG1GC"), "help"),
                "a collector in VIGIL_JAVA_OPTS replaces it; two would stop the JVM");
        assertEquals("ran -XX:+UseParallelGC -XX:+UseNUMA -XX:+DisableExplicitGC -jar " + jar + " help\n",
                launch(List.of("-XX:+UseNUMA", "-XX:+DisableExplicitGC"), "help"),
                "options that merely start with -XX:+Use or end with GC pick no collector");
    }

    @Test
    void shouldNotRebuildForFilesTheTestsLeaveUnderTarget() throws Exception {
        launch("help");
        write(tree.resolve("schemas/target/classes/dev/vigil/schema/Event.class"), "x", Instant.now().plusSeconds(5));
        write(tree.resolve("streams-app/target/surefire-reports/CliTest.txt"), "x", Instant.now().plusSeconds(5));
        launch("help");
        assertEquals(List.of("start", "end"), builds(), "output of the tests is not a source");
    }

    @Test
    void shouldStopRebuildingOnceMavenFindsTheJarUpToDate() throws Exception {
        write(tree.resolve("streams-app/target/vigil.jar"), "jar", LONG_AGO);
        write(tree.resolve("streams-app/src/main/java/App.java"), "y", LONG_AGO.plusSeconds(60));
        launch("help");
        launch("help");
        launch("help");
        assertEquals(List.of("start", "end"), builds(), "one build for one changed source, not one per call");
    }

    @Test
    void shouldRebuildWhenASourceChanges() throws Exception {
        launch("help");
        write(tree.resolve("schemas/src/main/avro/Event.avsc"), "y", Instant.now().plusSeconds(5));
        launch("help");
        assertEquals(List.of("start", "end", "start", "end"), builds());
    }

    @Test
    void shouldLetOnlyOneOfTwoTerminalsRunMavenAtATime() throws Exception {
        assumeTrue(new ProcessBuilder("sh", "-c", "command -v flock").start().waitFor() == 0, "flock is installed");
        final Process first = start("help");
        final Process second = start("help");
        assertTrue(first.waitFor(30, TimeUnit.SECONDS) && second.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, first.exitValue());
        assertEquals(0, second.exitValue());
        assertEquals(List.of("start", "end"), builds(), "the second waits for the first build, then finds the jar fresh");
    }

    @Test
    void shouldKeepMavensEscapeCodesOffTheTerminal() throws Exception {
        final String output = launch("help");
        assertFalse(output.contains("\u001b"), "no escape codes before the command's output: " + output);
        assertTrue(output.contains("vigil: building"), output);
    }

    /** Runs the launcher to the end; standard output and error together. */
    private String launch(final String... args) throws Exception {
        return launch(List.of(), args);
    }

    /** Runs the launcher with {@code javaOptions} as VIGIL_JAVA_OPTS. */
    private String launch(final List<String> javaOptions, final String... args) throws Exception {
        final Process p = start(javaOptions, args);
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private Process start(final String... args) throws IOException {
        return start(List.of(), args);
    }

    private Process start(final List<String> javaOptions, final String... args) throws IOException {
        final ProcessBuilder pb = new ProcessBuilder();
        pb.command().add("bash");
        pb.command().add(tree.resolve("vigil").toString());
        pb.command().addAll(List.of(args));
        pb.environment().put("PATH", tree.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().remove("VIGIL_JAVA_OPTS");
        if (!javaOptions.isEmpty()) {
            pb.environment().put("VIGIL_JAVA_OPTS", String.join(" ", javaOptions));
        }
        return pb.directory(tree.toFile()).redirectErrorStream(true).start();
    }

    private List<String> builds() throws IOException {
        return Files.exists(builds) ? Files.readAllLines(builds) : List.of();
    }

    private static void write(final Path file, final String content, final Instant time) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.from(time));
    }

    private static void script(final Path file, final String body) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
