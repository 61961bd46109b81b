package dev.vigil.cli;

import dev.vigil.privacy.PseudonymKey;
import dev.vigil.app.EmbeddedPseudonymKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where {@code vigil run} and {@code vigil replay} get the pseudonym key: a file or the
 * environment, the embedded stack's own, and no start at all against a cluster without one.
 */
class PseudonymKeySourceTest {
    private static final PseudonymKey KEY = PseudonymKey.generate();

    private static <T> T parse(final T command, final Map<String, String> env, final String... args) {
        final CommandLine cl = new CommandLine(command);
        cl.setDefaultValueProvider(new EnvironmentDefaults(env));
        cl.parseArgs(args);
        return command;
    }

    private static RunCommand run(final Map<String, String> env, final String... args) {
        final RunCommand run = new RunCommand();
        run.pseudonymKey.env = env;
        return parse(run, env, args);
    }

    /** Runs {@code command} capturing what it prints on standard error. */
    private static String stderrOf(final Callable<Integer> command, final int expectedExit) throws Exception {
        final PrintStream original = System.err;
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        final int exit;
        try {
            exit = command.call();
        } finally {
            System.setErr(original);
        }
        final String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, exit, text);
        return text;
    }

    @Test
    void shouldRefuseToJoinAClusterWithoutAKeyAndSayHowToGiveOne(@TempDir final Path dir) throws Exception {
        final RunCommand run = run(Map.of(), "--bootstrap-servers", "127.0.0.1:1", "--schema-registry-url",
                "mock://no-key", "--data-dir", dir.toString());
        final long started = System.nanoTime();
        final String err = stderrOf(run, 1);
        assertTrue(err.startsWith("vigil run: no pseudonym key"), err);
        for (final String how : new String[] {"--pseudonym-key-file", "VIGIL_PSEUDONYM_KEY_FILE", "VIGIL_PSEUDONYM_KEY",
            "openssl rand -base64 32", "deploy/OPERATIONS.md"}) {
            assertTrue(err.contains(how), "the message names " + how + ": " + err);
        }
        assertTrue(System.nanoTime() - started < 5_000_000_000L, "refused at once, before connecting to anything");
        assertFalse(Files.exists(dir.resolve(EmbeddedPseudonymKey.FILE_NAME)), "no key made up for a cluster");
    }

    @Test
    void shouldMakeTheEmbeddedStacksKeyAtFirstStartAndReuseIt(@TempDir final Path dir) {
        final PseudonymKeyOptions.Supplied first = run(Map.of(), "--data-dir", dir.toString()).pseudonymKey(true);
        assertTrue(first.source().startsWith("new, kept in"), first.source());
        final PseudonymKeyOptions.Supplied second = run(Map.of(), "--data-dir", dir.toString(), "--fresh").pseudonymKey(true);
        assertEquals(first.key(), second.key(), "a restart, even --fresh, keeps the pseudonyms");
        assertEquals(first.key(), EmbeddedPseudonymKey.read(dir).orElseThrow());
    }

    @Test
    void shouldTakeTheKeyFromAFileOrTheEnvironment(@TempDir final Path dir) throws Exception {
        final Path file = Files.writeString(dir.resolve("given.key"), KEY.text() + "\n");
        assertEquals(KEY, run(Map.of(), "--bootstrap-servers", "k:9092", "--pseudonym-key-file", file.toString())
                .pseudonymKey(false).key());
        assertEquals(KEY, run(Map.of("VIGIL_PSEUDONYM_KEY_FILE", file.toString()), "--bootstrap-servers", "k:9092")
                .pseudonymKey(false).key());
        final PseudonymKeyOptions.Supplied env = run(Map.of("VIGIL_PSEUDONYM_KEY", KEY.text()), "--bootstrap-servers",
                "k:9092").pseudonymKey(false);
        assertEquals(KEY, env.key());
        assertEquals("VIGIL_PSEUDONYM_KEY", env.source());
        // A given key wins over the embedded stack's own.
        assertEquals(KEY, run(Map.of("VIGIL_PSEUDONYM_KEY", KEY.text()), "--data-dir", dir.toString()).pseudonymKey(true).key());
        assertFalse(Files.exists(dir.resolve(EmbeddedPseudonymKey.FILE_NAME)));
        // A flag on the command line wins over the environment; two keys in the environment are refused.
        final PseudonymKey other = PseudonymKey.generate();
        final Path otherFile = Files.writeString(dir.resolve("other.key"), other.text());
        assertEquals(other, run(Map.of("VIGIL_PSEUDONYM_KEY", KEY.text()), "--bootstrap-servers", "k:9092",
                "--pseudonym-key-file", otherFile.toString()).pseudonymKey(false).key());
        final IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> run(
                Map.of("VIGIL_PSEUDONYM_KEY", KEY.text(), "VIGIL_PSEUDONYM_KEY_FILE", otherFile.toString()),
                "--bootstrap-servers", "k:9092").pseudonymKey(false));
        assertTrue(both.getMessage().contains("set only one"), both.getMessage());
    }

    @Test
    void shouldRejectShortKeysWhereverTheyComeFrom(@TempDir final Path dir) throws Exception {
        final IllegalArgumentException env = assertThrows(IllegalArgumentException.class,
                () -> run(Map.of("VIGIL_PSEUDONYM_KEY", "s3cret"), "--bootstrap-servers", "k:9092").pseudonymKey(false));
        assertTrue(env.getMessage().startsWith("VIGIL_PSEUDONYM_KEY: the pseudonym key is 6 bytes"), env.getMessage());
        final Path file = Files.writeString(dir.resolve("weak.key"), "vigil-default-pseudonym-key-change-me\n");
        final RunCommand run = run(Map.of(), "--bootstrap-servers", "127.0.0.1:1", "--schema-registry-url", "mock://weak",
                "--pseudonym-key-file", file.toString());
        final String err = stderrOf(run, 1);
        assertTrue(err.contains("published default"), err);
    }

    @Test
    void shouldRefuseAKeyOnTheCommandLine() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(Map.of(), "--bootstrap-servers", "k:9092", "--pseudonym-key", KEY.text()).pseudonymKey(false));
        assertTrue(e.getMessage().contains("shows in ps") && e.getMessage().contains("--pseudonym-key-file"),
                e.getMessage());
        assertFalse(e.getMessage().contains(KEY.text()));
        assertTrue(VigilCommand.commandLine().getSubcommands().get("run").getCommandSpec()
                .findOption("--pseudonym-key").hidden(), "not offered in the help");
    }

    @Test
    void shouldReplayWithTheSameKeySourceAsRun(@TempDir final Path dir) {
        // Against a cluster: refused without a key, before any record is read.
        final CommandLine cl = VigilCommand.commandLine();
        cl.setDefaultValueProvider(new EnvironmentDefaults(Map.of()));
        final ReplayCommand replay = (ReplayCommand) cl.getSubcommands().get("replay").getCommand();
        replay.pseudonymKey.env = Map.of();
        final StringWriter err = new StringWriter();
        final PrintStream original = System.err;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err));
        final int exit;
        try {
            exit = cl.execute("replay", "--from", "2026-03-02T00:00:00Z", "--to", "2026-03-03T00:00:00Z",
                    "--bootstrap-servers", "127.0.0.1:1", "--schema-registry-url", "mock://replay-key",
                    "--data-dir", dir.toString());
        } finally {
            System.setErr(original);
        }
        final String text = captured.toString(StandardCharsets.UTF_8) + err;
        assertEquals(1, exit, text);
        assertTrue(text.contains("no pseudonym key") && text.contains("--pseudonym-key-file"), text);

        // On the embedded stack: the key `vigil run` keeps in the data directory.
        final PseudonymKey kept = EmbeddedPseudonymKey.loadOrCreate(dir).key();
        final PseudonymKeyOptions options = parse(new ReplayCommand(), Map.of(), "--data-dir", dir.toString()).pseudonymKey;
        options.env = Map.of();
        assertEquals(kept, options.require(true, dir, false).key());
        final IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> options.require(true, dir.resolve("elsewhere"), false));
        assertTrue(none.getMessage().contains("does not exist"), none.getMessage());
        assertFalse(Files.exists(dir.resolve("elsewhere")), "a replay never makes a key");
    }
}
