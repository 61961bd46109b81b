package dev.vigil.cli;

import dev.vigil.app.EmbeddedStackFile;
import dev.vigil.app.StreamsSettings;
import dev.vigil.classify.MessageClassifier;
import dev.vigil.config.Topics;
import dev.vigil.ingest.EventValidator;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.replay.ClassifierVersions;
import dev.vigil.replay.Progress;
import dev.vigil.replay.Replay;
import dev.vigil.replay.ReplayComparison;
import dev.vigil.replay.ReplayRange;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.config.MonitoringConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code vigil replay}: re-runs a time range of the input through the same topology, isolated
 * from the live application (own application id, own {@code backfill.<name>.*} output topics, so
 * dashboards and the alert router never see it), or compares two such runs.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Re-run a time range of events through the topology.",
            "Outputs go to backfill.<name>.* topics, without touching the live application; or compare two runs "
                    + "(--compare A B). Results equal the live ones for windows fully inside [--from, --to] "
                    + "(see docs/replay.md)."})
public final class ReplayCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Mixin
    PseudonymKeyOptions pseudonymKey = new PseudonymKeyOptions();

    @Option(names = "--from", paramLabel = "ISO-TIME", description = "First event time published, e.g. 2026-03-02T00:00:00Z.")
    String from;

    @Option(names = "--to", paramLabel = "ISO-TIME", description = "Last event time published.")
    String to;

    @Option(names = "--output-prefix", paramLabel = "NAME",
            description = "Name of this run: outputs go to backfill.NAME.*, application id vigil-replay-NAME "
                    + "(default: from the classifier version and range).")
    String name;

    @Option(names = "--classifier-version", paramLabel = "V",
            description = "Re-score with the classifier of this version (default: the shipped classifier).")
    String classifierVersion;

    @Option(names = "--keep-state", description = "Keep the replay's internal topics, consumer group and local state.")
    boolean keepState;

    @Option(names = "--warmup", defaultValue = "0s", converter = DurationConverter.class,
            description = "Also read this much before --from to rebuild conversation state (not published; default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--lookahead", converter = DurationConverter.class,
            description = "Read this much after --to so the windows open at --to close (default: longest window + grace + inactivity gap).")
    Duration lookahead;

    @Option(names = "--input-topic", defaultValue = Topics.CONVERSATION_EVENTS, description = "Input topic (default: ${DEFAULT-VALUE}).")
    String inputTopic;

    @Option(names = "--state-dir", description = "Kafka Streams state directory (default: <data-dir>/state).")
    Path stateDir;

    @Option(names = "--commit-interval", defaultValue = "1s", converter = DurationConverter.class,
            description = "Transaction commit interval; a replay favours throughput (default: ${DEFAULT-VALUE}).")
    Duration commitInterval;

    @Option(names = "--threads", defaultValue = "1", description = "Stream threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--replication-factor", defaultValue = "-1",
            description = "Replication factor of the topics the replay creates, internal ones too "
                    + "(default: the broker's default.replication.factor).")
    short replicationFactor;

    @Option(names = "--max-text-chars", defaultValue = "" + EventValidator.DEFAULT_MAX_TEXT_CHARS,
            description = "As for `vigil run`: must match the live setting (default: ${DEFAULT-VALUE}).")
    int maxTextChars;

    @Option(names = "--max-event-skew", defaultValue = "1h", converter = DurationConverter.class,
            description = "As for `vigil run`: must match the live setting (default: ${DEFAULT-VALUE}).")
    Duration maxEventSkew;

    @Option(names = "--redelivery-horizon", defaultValue = "1h", converter = DurationConverter.class,
            description = "As for `vigil run`: must match the live setting (default: ${DEFAULT-VALUE}).")
    Duration redeliveryHorizon;

    @Option(names = "--raw-ids-in-outputs",
            description = "As for `vigil run`: must match the live setting.")
    boolean rawIdsInOutputs;

    @Option(names = "--window-alert-counts",
            description = "As for `vigil run`: must match the live setting.")
    boolean windowAlertCounts;

    @Option(names = "--timeout", defaultValue = "24h", converter = DurationConverter.class,
            description = "Give up after this long (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--compare", arity = "2", paramLabel = "RUN",
            description = "Compare two runs instead: names or prefixes (NAME, backfill.NAME, or 'live').")
    List<String> compare;

    @Option(names = "--json", description = "With --compare: print the report as JSON.")
    boolean json;

    /** Finds the classifier for a version; replaced in tests by one that knows the test doubles. */
    Function<String, MessageClassifier> classifiers = ClassifierVersions::resolve;

    /** The live monitoring settings the replay must share with {@code vigil run}. */
    MonitoringConfig monitoring = MonitoringConfig.defaults();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try {
            return replayOrCompare();
        } catch (final IllegalArgumentException | IllegalStateException e) {
            // User-fixable (bad time, unknown classifier version, missing topic, name in use): one line.
            System.err.println("vigil replay: " + e.getMessage());
            return 1;
        }
    }

    private int replayOrCompare() throws Exception {
        final EmbeddedStackFile.Stack stack = connection.resolve();
        final VigilSerdes serdes = VigilSerdes.registry(SchemaRegistries.forUrl(stack.schemaRegistryUrl(),
                connection.clientConfig()));
        if (compare != null) {
            final ReplayComparison c;
            c = ReplayComparison.read(connection.clientProperties(stack), serdes, prefixOf(compare.get(0)),
                    prefixOf(compare.get(1)));
            if (json) {
                System.out.println(c.toJson());
            } else {
                c.printTable(System.out, 20);
            }
            System.out.flush();
            return 0;
        }
        if (from == null || to == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--from and --to are required (or --compare A B)");
        }
        // The live run's key, or the replay's pseudonyms (and distinct counts) would not match its.
        final PseudonymKeyOptions.Supplied key = pseudonymKey.require(connection.bootstrapServers == null,
                connection.dataDir, false);
        final MonitoringConfig monitoring = this.monitoring.toBuilder().pseudonymKey(key.key())
                .rawIdsInOutputs(rawIdsInOutputs || this.monitoring.rawIdsInOutputs())
                .windowAlertCounts(windowAlertCounts || this.monitoring.windowAlertCounts()).build();
        final ReplayRange range = new ReplayRange(instant("--from", from), instant("--to", to), warmup,
                lookahead != null ? lookahead : ReplayRange.defaultLookahead(monitoring));
        final MessageClassifier classifier = classifiers.apply(classifierVersion);
        final String runName = name != null ? name : defaultName(classifier.version(), range);
        final StreamsSettings streams = new StreamsSettings(Replay.APPLICATION_ID_PREFIX + runName,
                stack.bootstrapServers(), stack.schemaRegistryUrl(),
                stateDir != null ? stateDir : connection.dataDir.resolve("state"), commitInterval.toMillis(),
                replicationFactor, 1, threads, connection.clientConfig());
        final Replay.Options options = new Replay.Options(runName, inputTopic, range, keepState, streams, monitoring,
                new EventValidator(maxTextChars, maxEventSkew, redeliveryHorizon));
        System.err.printf(Locale.ROOT, "replay %s: events %s .. %s (reading %s .. %s), classifier %s, pseudonym key %s, "
                        + "outputs %s.*%n", runName, range.from(), range.to(), range.readFrom(), range.readUntil(),
                classifier.version(), key.key().id(), options.outputPrefix());
        try (Replay replay = new Replay(options, classifier, serdes, SafetyMetrics.noop())) {
            System.err.printf(Locale.ROOT, "replay %s: %,d input records planned over %d partitions%n", runName,
                    replay.plan().records(), replay.plan().start().size());
            // Ctrl-C stops the replay and cleans up as a finished one would (unless --keep-state).
            final Thread hook = new Thread(replay::close, "vigil-replay-shutdown-hook");
            Runtime.getRuntime().addShutdownHook(hook);
            replay.start();
            final boolean console = System.console() != null;
            final Replay.Result result = replay.awaitCompletion(timeout, Duration.ofSeconds(console ? 1 : 10),
                    p -> progress(p, console));
            Runtime.getRuntime().removeShutdownHook(hook);
            if (console) {
                System.err.println();
            }
            System.out.printf(Locale.ROOT, "replay %s done: %,d input records in %s; outputs in %s.* (%d topics)%s%n",
                    runName, result.records(), Progress.clock(result.elapsed()), result.outputPrefix(),
                    result.outputTopics().size(), keepState ? "; state kept" : "; internal topics and local state deleted");
            return 0;
        }
    }

    private static void progress(final Progress p, final boolean console) {
        if (console) {
            System.err.print("\r" + p.line() + "   ");
        } else {
            System.err.println(p.line());
        }
        System.err.flush();
    }

    static String prefixOf(final String run) {
        if ("live".equals(run)) {
            return "";
        }
        return run.startsWith(Replay.PREFIX + ".") ? run : Replay.outputPrefix(run);
    }

    static Instant instant(final String option, final String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (final DateTimeParseException e) {
            throw new IllegalArgumentException(option + " must be an ISO-8601 time with offset, e.g. 2026-03-02T00:00:00Z: "
                    + value);
        }
    }

    static String defaultName(final String classifierVersion, final ReplayRange range) {
        final String v = classifierVersion.replaceAll("[^A-Za-z0-9._-]", "_");
        return v + "-" + compact(range.from()) + "-" + compact(range.to());
    }

    private static String compact(final Instant t) {
        return t.toString().replaceAll("[^0-9]", "").substring(0, 12);
    }
}
