package dev.vigil.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.privacy.PseudonymKey;
import dev.vigil.privacy.Pseudonyms;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * {@code vigil resolve-pseudonym}: which account a pseudonym in an alert names. A keyed hash
 * cannot be inverted, so the responder brings the candidates (account ids from the product's own
 * records, one a line) and the command hashes each under the deployment's key, and under previous
 * keys during a rotation, looking for the pseudonym.
 *
 * <p>Every lookup is audited before its answer is shown: one JSON line per pseudonym, appended
 * to the audit log (created owner-only, flushed to disk) and printed on standard error, with who
 * asked (the OS user, and the user behind sudo), on which host, when, why (the required
 * {@code --reason}), which pseudonym, and whether and under which key it matched. The account id
 * is not in the audit line: the log says who looked whom up, it is not a second pseudonym table.
 * If the audit line cannot be written, nothing is resolved.
 */
@Command(name = "resolve-pseudonym", mixinStandardHelpOptions = true,
        description = {"Find the account an alert's pseudonym names, audited.",
            "Pseudonyms cannot be inverted: give the candidate account ids (one a line, from your own account records) "
                    + "and each is hashed under the pseudonym key, and under previous keys during a rotation, to find the one "
                    + "that matches.",
            "Each lookup appends a line to the audit log and prints it on standard error before any answer: who asked, "
                    + "when, why, which pseudonym, and whether it matched (never the account id).",
            "Exit status: 0 when every pseudonym is resolved, 3 when one is not, 1 on an error (then nothing is shown)."})
public final class ResolvePseudonymCommand implements Callable<Integer> {
    /** Exit status when a pseudonym matched none of the candidates. */
    static final int UNRESOLVED = 3;
    static final String PREVIOUS_KEY_VARIABLE = "VIGIL_PREVIOUS_PSEUDONYM_KEY";
    private static final Pattern PSEUDONYM = Pattern.compile("[0-9a-fA-F]{16}");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    PseudonymKeyOptions pseudonymKey = new PseudonymKeyOptions();

    @Option(names = "--previous-pseudonym-key-file", paramLabel = "FILE",
            description = "File holding a key used before the current one, to resolve pseudonyms of alerts raised before a "
                    + "rotation (repeatable). VIGIL_PREVIOUS_PSEUDONYM_KEY may hold one such key itself.")
    List<Path> previousKeyFiles = new ArrayList<>();

    @Option(names = "--candidates", required = true, paramLabel = "FILE",
            description = "File of candidate account ids, one a line; - reads them from standard input.")
    String candidates;

    @Option(names = "--reason", required = true, paramLabel = "TEXT",
            description = "Why you are resolving it, with the ticket or incident id; written to the audit log. "
                    + "Required, and only taken from the command line.")
    String reason;

    @Option(names = "--audit-log", defaultValue = ".vigil/pseudonym-audit.log", paramLabel = "FILE",
            description = "Audit log (default: ${DEFAULT-VALUE}). Each lookup is appended to it; keep it with "
                    + "your other audit records.")
    Path auditLog;

    @Parameters(arity = "1..*", paramLabel = "PSEUDONYM",
            description = "Pseudonym to resolve, 16 hex digits as an alert shows it (one or more).")
    List<String> pseudonyms;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Where candidates come from with {@code --candidates -}; tests give their own. */
    InputStream stdin = System.in;
    /** The environment (previous key, sudo user); tests give their own. */
    Map<String, String> env = System.getenv();
    Clock clock = Clock.systemUTC();

    /** A key to try and how the audit line names it. */
    record Labelled(PseudonymKey key, String label) {
    }

    @Override
    public Integer call() throws JsonProcessingException {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (reason == null || reason.isBlank() || !spec.commandLine().getParseResult().hasMatchedOption("--reason")) {
            throw new IllegalArgumentException("--reason is required on the command line: say why you resolve this "
                    + "pseudonym (a ticket or incident id); it goes to the audit log");
        }
        final List<String> wanted = new ArrayList<>();
        for (final String p : pseudonyms) {
            if (!PSEUDONYM.matcher(p).matches()) {
                throw new IllegalArgumentException("not a pseudonym (16 hex digits, as alerts show them): " + p);
            }
            wanted.add(p.toLowerCase(Locale.ROOT));
        }
        final List<Labelled> keys = keys();

        // Hash every candidate under every key; remember which candidate gave a wanted pseudonym.
        final Map<String, List<String[]>> matches = new LinkedHashMap<>();
        wanted.forEach(p -> matches.put(p, new ArrayList<>()));
        final List<Pseudonyms> hashes = keys.stream().map(k -> new Pseudonyms(k.key())).toList();
        long read = 0;
        try (BufferedReader in = candidateReader()) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                final String account = line.strip();
                if (account.isEmpty()) {
                    continue;
                }
                read++;
                for (int k = 0; k < keys.size(); k++) {
                    final List<String[]> found = matches.get(hashes.get(k).pseudonym(account));
                    if (found != null) {
                        found.add(new String[] {account, keys.get(k).label()});
                    }
                }
            }
        } catch (final IOException e) {
            throw new IllegalArgumentException("cannot read the candidates " + candidates + " ("
                    + e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "") + ")");
        }

        // The audit lines first: no answer without its record.
        final List<String> auditLines = new ArrayList<>();
        for (final Map.Entry<String, List<String[]>> m : matches.entrySet()) {
            auditLines.add(auditLine(m.getKey(), m.getValue(), keys, read));
        }
        append(auditLog, auditLines);
        auditLines.forEach(line -> err.println("audit: " + line));
        err.flush();

        boolean all = true;
        for (final Map.Entry<String, List<String[]>> m : matches.entrySet()) {
            if (m.getValue().isEmpty()) {
                all = false;
                out.println(m.getKey() + "\t\tno match among " + read + " candidates");
            }
            for (final String[] match : m.getValue()) {
                out.println(m.getKey() + "\t" + match[0] + "\t" + match[1]);
            }
        }
        out.flush();
        return all ? 0 : UNRESOLVED;
    }

    /** The current key, then the previous ones, each labelled with its role and id. */
    List<Labelled> keys() {
        final PseudonymKey current = pseudonymKey.supplied().orElseThrow(() -> new IllegalArgumentException(
                "resolving a pseudonym needs the deployment's pseudonym key: give " + PseudonymKeyOptions.FILE_OPTION
                        + " FILE or set " + PseudonymKeyOptions.KEY_VARIABLE)).key();
        final List<Labelled> keys = new ArrayList<>();
        keys.add(new Labelled(current, "current key " + current.id()));
        final List<PseudonymKey> previous = new ArrayList<>();
        for (final Path file : previousKeyFiles) {
            previous.add(PseudonymKey.fromFile(file));
        }
        final String inEnv = env.get(PREVIOUS_KEY_VARIABLE);
        if (inEnv != null && !inEnv.isBlank()) {
            try {
                previous.add(PseudonymKey.of(inEnv));
            } catch (final IllegalArgumentException e) {
                throw new IllegalArgumentException(PREVIOUS_KEY_VARIABLE + ": " + e.getMessage());
            }
        }
        for (final PseudonymKey p : previous) {
            if (keys.stream().noneMatch(k -> k.key().equals(p))) {
                keys.add(new Labelled(p, "previous key " + p.id()));
            }
        }
        return keys;
    }

    private BufferedReader candidateReader() throws IOException {
        if ("-".equals(candidates)) {
            return new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
        }
        try {
            return Files.newBufferedReader(Path.of(candidates), StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new IllegalArgumentException("cannot read the candidates " + candidates + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private String auditLine(final String pseudonym, final List<String[]> found, final List<Labelled> keys,
                             final long candidateCount) throws JsonProcessingException {
        final Map<String, Object> a = new LinkedHashMap<>();
        a.put("time", clock.instant().toString());
        a.put("action", "resolve-pseudonym");
        a.put("user", System.getProperty("user.name"));
        final String sudoUser = env.get("SUDO_USER");
        if (sudoUser != null && !sudoUser.isBlank()) {
            a.put("sudo_user", sudoUser);
        }
        a.put("host", hostName());
        a.put("reason", reason.strip());
        a.put("pseudonym", pseudonym);
        a.put("matched", !found.isEmpty());
        a.put("matches", found.size());
        a.put("matched_key", found.isEmpty() ? null : found.get(0)[1]);
        a.put("keys_tried", keys.stream().map(Labelled::label).toList());
        a.put("candidates", candidateCount);
        return JSON.writeValueAsString(a);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (final IOException e) {
            return "unknown";
        }
    }

    /**
     * Appends the lines and forces them to disk. The file is only ever opened for appending, and
     * created readable by its owner only.
     */
    static void append(final Path log, final List<String> lines) {
        final StringBuilder text = new StringBuilder();
        lines.forEach(l -> text.append(l).append('\n'));
        try {
            final Path parent = log.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            final Set<StandardOpenOption> options = EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
            final boolean posix = Files.getFileStore(parent != null ? parent : Path.of(".")).supportsFileAttributeView("posix");
            try (FileChannel channel = posix
                    ? FileChannel.open(log, options, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : FileChannel.open(log, options)) {
                final ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
        } catch (final IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("cannot write the audit log " + log + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() != null ? ": " + e.getMessage() : "") + "); nothing was resolved");
        }
    }
}
