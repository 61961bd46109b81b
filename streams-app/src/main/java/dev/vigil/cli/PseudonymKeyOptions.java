package dev.vigil.cli;

import dev.vigil.privacy.PseudonymKey;
import dev.vigil.app.EmbeddedPseudonymKey;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the pseudonym key comes from, the same for every job that computes or resolves
 * pseudonyms ({@code run}, {@code replay}, {@code resolve-pseudonym}): a file
 * ({@code --pseudonym-key-file}, or {@code VIGIL_PSEUDONYM_KEY_FILE}) or the key itself in
 * {@code VIGIL_PSEUDONYM_KEY}. Not on the command line: a flag's value shows in {@code ps} and
 * in shell history, so {@code --pseudonym-key} is refused with a pointer to these.
 */
public final class PseudonymKeyOptions {
    /** The variable that holds the key itself. */
    public static final String KEY_VARIABLE = "VIGIL_PSEUDONYM_KEY";
    static final String FILE_OPTION = "--pseudonym-key-file";

    @Option(names = FILE_OPTION, paramLabel = "FILE",
            description = "File holding the pseudonym key, the secret that turns account ids into pseudonyms in alerts "
                    + "(at least 32 bytes; the same for every instance and replay of a deployment). "
                    + "VIGIL_PSEUDONYM_KEY may hold the key itself instead.")
    Path keyFile;

    /** Kept only to refuse it with a useful message (see {@link #supplied()}). */
    @Option(names = "--pseudonym-key", hidden = true, paramLabel = "KEY",
            description = "Refused: a key on the command line shows in ps; use --pseudonym-key-file or VIGIL_PSEUDONYM_KEY.")
    String keyOnCommandLine;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** The environment {@code VIGIL_PSEUDONYM_KEY} is read from; tests give their own. */
    Map<String, String> env = System.getenv();

    /** A key and where it came from (a file name or a variable, never the key). */
    public record Supplied(PseudonymKey key, String source) {
    }

    /**
     * The key given by {@code --pseudonym-key-file} (flag or variable) or {@code VIGIL_PSEUDONYM_KEY};
     * empty if neither is set. A flag on the command line wins over the environment, as for every
     * option; a key file and a key both from the environment are refused, since either could be the stale one.
     */
    public Optional<Supplied> supplied() {
        if (matched("--pseudonym-key")) {
            throw new IllegalArgumentException("--pseudonym-key is not accepted: a key on the command line shows in ps "
                    + "and shell history. Put it in a file readable only by Vigil's user and pass " + FILE_OPTION
                    + " FILE, or set " + KEY_VARIABLE);
        }
        final String inEnv = env.get(KEY_VARIABLE);
        final boolean envKey = inEnv != null && !inEnv.isBlank();
        if (keyFile != null && (matched(FILE_OPTION) || !envKey)) {
            return Optional.of(new Supplied(PseudonymKey.fromFile(keyFile), "file " + keyFile));
        }
        if (keyFile != null) {
            throw new IllegalArgumentException("both " + EnvironmentDefaults.variableFor(FILE_OPTION) + " and "
                    + KEY_VARIABLE + " are set: set only one, so it is clear which pseudonym key is in use");
        }
        if (envKey) {
            try {
                return Optional.of(new Supplied(PseudonymKey.of(inEnv), KEY_VARIABLE));
            } catch (final IllegalArgumentException e) {
                throw new IllegalArgumentException(KEY_VARIABLE + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * The key a job that computes pseudonyms uses: the one supplied, else with the embedded stack
     * the one in its data directory (made there the first time if {@code create}), else none, which
     * is an error: against a real cluster every instance and replay must share one key, and a key
     * made up here would be shared by nobody.
     */
    public Supplied require(final boolean embedded, final Path dataDir, final boolean create) {
        final Optional<Supplied> given = supplied();
        if (given.isPresent()) {
            return given.get();
        }
        if (embedded) {
            if (create) {
                final EmbeddedPseudonymKey.Loaded loaded = EmbeddedPseudonymKey.loadOrCreate(dataDir);
                return new Supplied(loaded.key(), (loaded.created() ? "new, kept in " : "file ") + loaded.file());
            }
            final Optional<PseudonymKey> kept = EmbeddedPseudonymKey.read(dataDir);
            if (kept.isPresent()) {
                return new Supplied(kept.get(), "file " + EmbeddedPseudonymKey.path(dataDir));
            }
            throw new IllegalArgumentException("no pseudonym key: the embedded stack keeps its key in "
                    + EmbeddedPseudonymKey.path(dataDir) + ", which does not exist (has `vigil run` been started with "
                    + "this --data-dir?); or give " + FILE_OPTION + " or " + KEY_VARIABLE);
        }
        throw new IllegalArgumentException(missingKeyMessage());
    }

    /** What to do when a deployment's key is missing. */
    static String missingKeyMessage() {
        return "no pseudonym key. Against a Kafka cluster every instance and replay must hash account ids with the "
                + "same secret key, so Vigil does not make one up. Create one and keep a copy in your secret store "
                + "(umask 077; openssl rand -base64 32 > pseudonym.key), then pass " + FILE_OPTION
                + " pseudonym.key, or set " + EnvironmentDefaults.variableFor(FILE_OPTION) + " to its path or "
                + KEY_VARIABLE + " to the key (see deploy/OPERATIONS.md)";
    }

    private boolean matched(final String option) {
        if (spec == null) {
            return false;
        }
        final CommandLine.ParseResult parsed = spec.commandLine() == null ? null : spec.commandLine().getParseResult();
        return parsed != null && parsed.hasMatchedOption(option);
    }
}
