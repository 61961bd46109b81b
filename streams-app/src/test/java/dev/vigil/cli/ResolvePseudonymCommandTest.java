package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.privacy.PseudonymKey;
import dev.vigil.privacy.Pseudonyms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code vigil resolve-pseudonym}: the right account, found only with the key, and always audited. */
class ResolvePseudonymCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PseudonymKey KEY = PseudonymKey.generate();
    private static final PseudonymKey OLD_KEY = PseudonymKey.generate();

    @TempDir
    Path dir;

    /** The outcome of one invocation. */
    record Run(int exit, String out, String err) {
    }

    private Run resolve(final Map<String, String> env, final String stdin, final String... args) {
        final CommandLine cl = VigilCommand.commandLine();
        cl.setDefaultValueProvider(new EnvironmentDefaults(env));
        final ResolvePseudonymCommand command = (ResolvePseudonymCommand) cl.getSubcommands().get("resolve-pseudonym")
                .getCommand();
        command.env = env;
        command.pseudonymKey.env = env;
        command.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        command.clock = Clock.fixed(Instant.parse("2026-03-02T10:15:30Z"), ZoneOffset.UTC);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        final List<String> all = new ArrayList<>(List.of("resolve-pseudonym"));
        all.addAll(List.of(args));
        final int exit = cl.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    private Path keyFile(final String name, final PseudonymKey key) throws Exception {
        return Files.writeString(dir.resolve(name), key.text() + "\n");
    }

    private Path candidates() throws Exception {
        return Files.write(dir.resolve("accounts.txt"),
                IntStream.range(0, 5_000).mapToObj(i -> "acct-" + i).toList());
    }

    private List<JsonNode> audit() throws Exception {
        final List<JsonNode> lines = new ArrayList<>();
        for (final String line : Files.readAllLines(dir.resolve("audit.log"))) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    @Test
    void shouldFindTheAccountAmongTheCandidatesAndAuditTheLookup() throws Exception {
        final String pseudonym = new Pseudonyms(KEY).pseudonym("acct-4242");
        final Run run = resolve(Map.of("SUDO_USER", "alice"), "", "--pseudonym-key-file", keyFile("key", KEY).toString(),
                "--candidates", candidates().toString(), "--reason", "INC-123 campaign review",
                "--audit-log", dir.resolve("audit.log").toString(), pseudonym);
        assertEquals(0, run.exit(), run.err());
        assertEquals(pseudonym + "\tacct-4242\tcurrent key " + KEY.id(), run.out().strip());

        final List<JsonNode> audit = audit();
        assertEquals(1, audit.size());
        final JsonNode a = audit.get(0);
        assertEquals("2026-03-02T10:15:30Z", a.get("time").asText());
        assertEquals("resolve-pseudonym", a.get("action").asText());
        assertEquals(System.getProperty("user.name"), a.get("user").asText());
        assertEquals("alice", a.get("sudo_user").asText());
        assertEquals("INC-123 campaign review", a.get("reason").asText());
        assertEquals(pseudonym, a.get("pseudonym").asText());
        assertTrue(a.get("matched").asBoolean());
        assertEquals("current key " + KEY.id(), a.get("matched_key").asText());
        assertEquals(5_000, a.get("candidates").asInt());
        assertTrue(a.has("host"));
        final String line = Files.readString(dir.resolve("audit.log"));
        assertFalse(line.contains("acct-4242"), "the audit log says who looked up what, not whom it named");
        assertFalse(line.contains(KEY.text()));
        assertTrue(run.err().contains("audit: " + line.strip()), "the audit line is on standard error too: " + run.err());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("audit.log"))));
    }

    @Test
    void shouldAppendEveryLookupMatchedOrNotAndReadCandidatesFromStandardInput() throws Exception {
        final Path key = keyFile("key", KEY);
        final String known = new Pseudonyms(KEY).pseudonym("acct-7");
        final String unknown = new Pseudonyms(KEY).pseudonym("acct-not-a-candidate");
        resolve(Map.of(), "", "--pseudonym-key-file", key.toString(), "--candidates", candidates().toString(),
                "--reason", "INC-1", "--audit-log", dir.resolve("audit.log").toString(), known);
        final Run second = resolve(Map.of("VIGIL_PSEUDONYM_KEY", KEY.text()), "acct-5\nacct-7\n\nacct-9\n",
                "--candidates", "-", "--reason", "INC-2", "--audit-log", dir.resolve("audit.log").toString(),
                unknown, known.toUpperCase());
        assertEquals(ResolvePseudonymCommand.UNRESOLVED, second.exit(), second.err());
        assertTrue(second.out().contains(unknown + "\t\tno match among 3 candidates"), second.out());
        assertTrue(second.out().contains(known + "\tacct-7\t"), second.out());
        final List<JsonNode> audit = audit();
        assertEquals(3, audit.size(), "appended, the first lookup kept");
        assertEquals("INC-1", audit.get(0).get("reason").asText());
        assertEquals(unknown, audit.get(1).get("pseudonym").asText());
        assertFalse(audit.get(1).get("matched").asBoolean());
        assertTrue(audit.get(1).get("matched_key").isNull());
        assertTrue(audit.get(2).get("matched").asBoolean());
    }

    @Test
    void shouldResolvePseudonymsOfThePreviousKeyDuringARotation() throws Exception {
        final String before = new Pseudonyms(OLD_KEY).pseudonym("acct-17");
        final String after = new Pseudonyms(KEY).pseudonym("acct-17");
        final Path current = keyFile("current", KEY);
        final String[] common = {"--pseudonym-key-file", current.toString(), "--candidates", candidates().toString(),
            "--reason", "INC-9", "--audit-log", dir.resolve("audit.log").toString()};

        final Run withoutOld = resolve(Map.of(), "", concat(common, before));
        assertEquals(ResolvePseudonymCommand.UNRESOLVED, withoutOld.exit(), "the current key alone cannot resolve it");

        final Run withOld = resolve(Map.of(), "", concat(common, "--previous-pseudonym-key-file",
                keyFile("previous", OLD_KEY).toString(), before, after));
        assertEquals(0, withOld.exit(), withOld.err());
        assertTrue(withOld.out().contains(before + "\tacct-17\tprevious key " + OLD_KEY.id()), withOld.out());
        assertTrue(withOld.out().contains(after + "\tacct-17\tcurrent key " + KEY.id()), withOld.out());
        final JsonNode old = audit().get(1);
        assertEquals("previous key " + OLD_KEY.id(), old.get("matched_key").asText());
        assertEquals(2, old.get("keys_tried").size());

        final Run fromEnv = resolve(Map.of("VIGIL_PREVIOUS_PSEUDONYM_KEY", OLD_KEY.text()), "", concat(common, before));
        assertEquals(0, fromEnv.exit(), fromEnv.err());
    }

    @Test
    void shouldRefuseWithoutAReasonOrAKeyAndThenAuditNothing() throws Exception {
        final String pseudonym = new Pseudonyms(KEY).pseudonym("acct-1");
        final String key = keyFile("key", KEY).toString();
        final String audit = dir.resolve("audit.log").toString();
        final Run noReason = resolve(Map.of(), "", "--pseudonym-key-file", key, "--candidates", candidates().toString(),
                "--audit-log", audit, pseudonym);
        assertEquals(2, noReason.exit());
        assertTrue(noReason.err().contains("--reason"), noReason.err());
        assertEquals("", noReason.out());

        final Run blank = resolve(Map.of(), "", "--pseudonym-key-file", key, "--candidates", candidates().toString(),
                "--reason", "  ", "--audit-log", audit, pseudonym);
        assertEquals(1, blank.exit());
        assertEquals("", blank.out());

        final Run reasonFromEnv = resolve(Map.of("VIGIL_REASON", "standing reason"), "", "--pseudonym-key-file", key,
                "--candidates", candidates().toString(), "--audit-log", audit, pseudonym);
        assertTrue(reasonFromEnv.exit() != 0, "a reason is given per lookup, not set once in the environment");
        assertEquals("", reasonFromEnv.out());

        final Run noKey = resolve(Map.of(), "", "--candidates", candidates().toString(), "--reason", "INC-3",
                "--audit-log", audit, pseudonym);
        assertEquals(1, noKey.exit());
        assertTrue(noKey.err().contains("needs the deployment's pseudonym key"), noKey.err());
        assertEquals("", noKey.out());

        final Run badPseudonym = resolve(Map.of(), "", "--pseudonym-key-file", key, "--candidates",
                candidates().toString(), "--reason", "INC-3", "--audit-log", audit, "acct-1");
        assertEquals(1, badPseudonym.exit());
        assertFalse(Files.exists(dir.resolve("audit.log")), "nothing was looked up, so nothing is audited");
    }

    @Test
    void shouldShowNothingWhenTheAuditLineCannotBeWritten() throws Exception {
        final String pseudonym = new Pseudonyms(KEY).pseudonym("acct-3");
        Files.createDirectories(dir.resolve("audit-is-a-directory"));
        final Run run = resolve(Map.of(), "", "--pseudonym-key-file", keyFile("key", KEY).toString(), "--candidates",
                candidates().toString(), "--reason", "INC-4", "--audit-log", dir.resolve("audit-is-a-directory").toString(),
                pseudonym);
        assertEquals(1, run.exit());
        assertEquals("", run.out());
        assertFalse(run.err().contains("acct-3"), run.err());
        assertTrue(run.err().contains("cannot write the audit log"), run.err());
    }

    private static String[] concat(final String[] a, final String... b) {
        final List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }
}
