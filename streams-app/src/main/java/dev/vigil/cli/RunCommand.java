package dev.vigil.cli;

import dev.vigil.app.EmbeddedStackFile;
import dev.vigil.app.KafkaClientConfig;
import dev.vigil.app.StreamsSettings;
import dev.vigil.app.VigilApp;
import dev.vigil.app.VigilTopics;
import dev.vigil.broker.EmbeddedKafka;
import dev.vigil.classify.Classifiers;
import dev.vigil.classify.EncoderBudget;
import dev.vigil.classify.MessageClassifier;
import dev.vigil.config.Topics;
import dev.vigil.ingest.EventValidator;
import dev.vigil.http.ApiToken;
import dev.vigil.http.CurrentAggregates;
import dev.vigil.http.RecentAlerts;
import dev.vigil.http.ViewFeeder;
import dev.vigil.ingest.CommittedDeadLetters;
import dev.vigil.http.VigilHttpServer;
import dev.vigil.metrics.VigilMetrics;
import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.serde.EmbeddedSchemaRegistry;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.SchemaRegistryClient;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.simulate.TrafficProducer;
import dev.vigil.simulate.TrafficSimulator;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.topology.VigilTopology;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code vigil run}: the monitor. With no {@code --bootstrap-servers} it brings up its own
 * stack in-process (a real single-node Kafka broker and a schema registry served over HTTP),
 * so a newcomer needs nothing else; with them, it joins an existing cluster.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the safety monitor.",
            "Without --bootstrap-servers it starts an embedded Kafka broker and schema registry in this process; "
                    + "--demo also feeds it simulated traffic."})
public final class RunCommand implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", description = "Kafka to join (default: start an embedded broker).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url",
            description = "Confluent-compatible schema registry (default with the embedded broker: an embedded one).")
    String schemaRegistryUrl;

    @Option(names = "--kafka-config", paramLabel = "KEY=VALUE",
            description = "Kafka client setting passed through untouched (repeatable); KAFKA_* variables work too.")
    List<String> kafkaConfig = new ArrayList<>();

    @Option(names = "--application-id", defaultValue = StreamsSettings.DEFAULT_APPLICATION_ID,
            description = "Kafka Streams application id (default: ${DEFAULT-VALUE}).")
    String applicationId;

    @Option(names = "--data-dir", defaultValue = ".vigil",
            description = "Embedded broker data, local state and discovery file (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--state-dir", description = "Kafka Streams state directory (default: <data-dir>/state).")
    Path stateDir;

    @Option(names = "--input-topic", defaultValue = Topics.CONVERSATION_EVENTS, description = "Input topic (default: ${DEFAULT-VALUE}).")
    String inputTopic;

    @Option(names = "--commit-interval", defaultValue = StreamsSettings.DEFAULT_COMMIT_INTERVAL_MS + "ms",
            converter = DurationConverter.class,
            description = "Transaction commit interval; bounds input-to-output latency (default: ${DEFAULT-VALUE}).")
    Duration commitInterval;

    @Option(names = "--partitions", defaultValue = "3", description = "Partitions of the topics Vigil creates (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--replication-factor", defaultValue = "-1",
            description = "Replication factor of the topics Vigil creates, internal ones too "
                    + "(default: the broker's default replication factor; 1 on the embedded broker).")
    short replicationFactor;

    @Option(names = "--topic-retention", converter = DurationConverter.class,
            description = "Retention of the topics Vigil creates, counted from each record's event time "
                    + "(e.g. 30d; default: keep forever, so loaded or replayed history is not deleted by the "
                    + "broker's 7-day default minutes after it arrives).")
    Duration topicRetention;

    @Option(names = "--dead-letter-retention", defaultValue = "7d", converter = DurationConverter.class,
            description = "Retention of the input's dead-letter topic when Vigil creates it, counted from when each "
                    + "dead letter was written. Dead letters hold the original record, text included: keep them only "
                    + "as long as fixing a producer takes (default: ${DEFAULT-VALUE}).")
    Duration deadLetterRetention;

    @Option(names = "--raw-ids-in-outputs",
            description = "Publish raw account and conversation ids in signals, summaries and alerts, and so in the "
                    + "HTTP alert view and incident tools. By default they carry keyed pseudonyms that only holders of "
                    + "the pseudonym key can resolve (vigil resolve-pseudonym); opt in only where every reader may see "
                    + "who the people are.")
    boolean rawIdsInOutputs;

    @Option(names = "--max-dimension-values",
            description = "Most values one dimension (model, language, ...) publishes per window; the cells with "
                    + "fewest accounts fold into \"(other)\" (default: 50).")
    Integer maxDimensionValues;

    @Option(names = "--window-alert-counts",
            description = "Window alerts (crisis surge, referral-rate drop, pushback, sentiment) carry the counts, "
                    + "rates and baselines of the window they judged. Alert windows overlap the published aggregate "
                    + "grid, so those counts could be subtracted from published cells to recover a suppressed one: "
                    + "opt in only where every alert reader may see unsuppressed counts.")
    boolean windowAlertCounts;

    @Option(names = "--threads", defaultValue = "1", description = "Stream threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--crisis-encoder-rate", defaultValue = "" + EncoderBudget.DEFAULT_RATE,
            description = "Sentence-encoder calls per second of event time this instance may make for the crisis "
                    + "grade, shared evenly by the --partitions input partitions (so a grade does not depend on which "
                    + "instance holds a partition); past it the fast tier's grade stands and "
                    + "vigil_crisis_grades_total{tier=\"fast_over_budget\"} counts it (default: ${DEFAULT-VALUE}, "
                    + "about a third of a core).")
    double encoderRate;

    @Option(names = "--crisis-encoder-reserve", defaultValue = "" + EncoderBudget.DEFAULT_RESERVE,
            description = "Share (0 to 1) of the encoder budget's room kept for the escalations the fast tier finds "
                    + "riskiest (and curated crisis phrases), in proportion to their risk, so that over the cap the "
                    + "encoder reads the likeliest crises first; 0.5 is the measured setting. Past a restart or a "
                    + "takeover a reserve can grade a burst of escalations otherwise than an uninterrupted run "
                    + "(default: ${DEFAULT-VALUE}, first come, first served).")
    double encoderReserve;

    @Option(names = "--max-text-chars", defaultValue = "" + EventValidator.DEFAULT_MAX_TEXT_CHARS,
            description = "Longer messages go to the dead-letter topic (default: ${DEFAULT-VALUE}).")
    int maxTextChars;

    @Option(names = "--max-event-skew", defaultValue = "1h", converter = DurationConverter.class,
            description = "An event whose own time is further than this from its Kafka record's timestamp goes to the dead-letter topic as skewed-time (default: ${DEFAULT-VALUE}).")
    Duration maxEventSkew;

    @Option(names = "--redelivery-horizon", defaultValue = "1h", converter = DurationConverter.class,
            description = "An event id is remembered this long in event time; the same event again within it is dropped as a redelivery, another event under the same id is dead-lettered (default: ${DEFAULT-VALUE}).")
    Duration redeliveryHorizon;

    @Option(names = "--broker-port", defaultValue = "" + EmbeddedKafka.DEFAULT_PORT, description = "Embedded broker port (default: ${DEFAULT-VALUE}).")
    int brokerPort;

    @Option(names = "--controller-port", defaultValue = "" + EmbeddedKafka.DEFAULT_CONTROLLER_PORT,
            description = "Embedded KRaft controller port (default: ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--registry-port", defaultValue = "8081", description = "Embedded schema registry port (default: ${DEFAULT-VALUE}).")
    int registryPort;

    @Option(names = "--fresh", description = "Start the embedded stack from scratch: wipe the broker's data, the local "
            + "state and the schema registry's journal (they are kept across runs otherwise).")
    boolean fresh;

    @Option(names = "--http-host", description = "Address of the HTTP server for /metrics, /health/* and /api/* "
            + "(default: 127.0.0.1 with the embedded broker, 0.0.0.0 when joining a cluster, for probes and scrapes).")
    String httpHost;

    @Option(names = "--http-port", defaultValue = "8080", description = "Port of the HTTP server; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--http-token-file",
            description = "File holding a bearer token that the JSON views then require (Authorization: Bearer <token>); "
                    + "the environment variable " + HTTP_TOKEN_VARIABLE + " can hold the token instead. The metrics and "
                    + "health endpoints stay open for Prometheus and probes (default: no token, the views are open).")
    Path httpTokenFile;

    @Option(names = "--status-interval", defaultValue = "1m", converter = DurationConverter.class,
            description = "How often to print a status line (events/s, lag, alerts by type, dead letters); 0 turns it "
                    + "off (default: ${DEFAULT-VALUE}).")
    Duration statusInterval;

    @Option(names = "--demo", description = "Also run the traffic simulator against this monitor.")
    boolean demo;

    @Option(names = "--demo-rate", defaultValue = "20", description = "Simulated events per second with --demo (default: ${DEFAULT-VALUE}).")
    double demoRate;

    @Option(names = "--demo-duration", defaultValue = "1h", converter = DurationConverter.class,
            description = "How long the demo traffic runs (default: ${DEFAULT-VALUE}).")
    Duration demoDuration;

    @Option(names = "--demo-seed", defaultValue = "42", description = "Seed of the demo traffic (default: ${DEFAULT-VALUE}).")
    long demoSeed;

    // Monitoring settings: unset ones take the defaults of MonitoringConfig, or with --demo the
    // demo's short windows (demoConfig()); a flag given on the command line always wins.

    @Option(names = "--inactivity-gap", converter = DurationConverter.class,
            description = "A conversation with no message for this long (event time) has ended (default: 30m; demo 90s).")
    Duration inactivityGap;

    @Option(names = "--k", description = "Fewest distinct accounts an aggregate cell must cover to be published (default: 10; demo 3).")
    Integer k;

    @Option(names = "--aggregate-windows", split = ",", paramLabel = "SIZE/ADVANCE", converter = WindowSpecConverter.class,
            description = "Hopping windows of the aggregates; the rate alerts judge the last one "
                    + "(default: 5m/1m,1h/15m; demo 1m/20s,5m/1m).")
    List<MonitoringConfig.WindowSpec> aggregateWindows;

    @Option(names = "--grace", converter = DurationConverter.class,
            description = "How late a record may arrive and still count in its window (default: 2m; demo 5s).")
    Duration grace;

    @Option(names = "--referral-level",
            description = "Lowest crisis level that needs a referral: ${COMPLETION-CANDIDATES} (default: ACTIVE_IDEATION).")
    CrisisLevel referralLevel;

    @Option(names = "--referral-replies",
            description = "Assistant replies after a disclosure in which a referral must come (default: 1).")
    Integer referralReplies;

    @Option(names = "--referral-rate-threshold",
            description = "Share of disclosures referred below which a model alerts (default: 0.8).")
    Double referralRateThreshold;

    @Option(names = "--abuse-window", converter = DurationConverter.class,
            description = "Window in which near-duplicate messages from many accounts are counted (default: 1h; demo 1m).")
    Duration abuseWindow;

    @Option(names = "--abuse-advance", converter = DurationConverter.class,
            description = "Advance of the abuse windows (default: 15m; demo 30s).")
    Duration abuseAdvance;

    @Option(names = "--abuse-threshold",
            description = "Distinct accounts posting near-duplicates in one window that make a campaign (default: 5).")
    Integer abuseThreshold;

    @Option(names = "--abuse-burst-ratio",
            description = "A near-duplicate cluster alerts only with this many times the accounts its text usually has per window (default: 3).")
    Double abuseBurstRatio;

    @Option(names = "--abuse-significance",
            description = "A burst must also be this unlikely by chance at the text's usual rate (Poisson tail; default: 0.001).")
    Double abuseSignificance;

    @Option(names = "--source-idle-timeout", converter = DurationConverter.class,
            description = "Wall-clock silence after which a quiet input partition stops holding windows open (default: 10s).")
    Duration sourceIdleTimeout;

    @Option(names = "--runbook-base-url",
            description = "Base of the runbook links in alerts (default: docs/runbooks/ of Vigil's repository on GitHub).")
    String runbookBaseUrl;

    @Mixin
    PseudonymKeyOptions pseudonymKey = new PseudonymKeyOptions();

    /** The environment variable that can hold the token of {@code /api/*} (never a flag: flags show in {@code ps}). */
    static final String HTTP_TOKEN_VARIABLE = "VIGIL_HTTP_TOKEN";

    /** How far back the HTTP views start reading alerts and aggregates. */
    static final Duration VIEW_LOOKBACK = Duration.ofHours(6);

    /** Things to close on shutdown, last started first closed. */
    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    private final Map<String, String> env;

    public RunCommand() {
        this(System.getenv());
    }

    /** With the token variable of {@code env} instead of the process's (tests, embedding). */
    public RunCommand(final Map<String, String> env) {
        this.env = env;
    }

    /**
     * The token {@code /api/*} requires: from {@code --http-token-file} if given, else from
     * {@value #HTTP_TOKEN_VARIABLE}; null if neither is set.
     *
     * @throws IllegalArgumentException if the file cannot be read or the token is not acceptable
     */
    ApiToken httpToken() {
        if (httpTokenFile != null) {
            try {
                return ApiToken.of(java.nio.file.Files.readString(httpTokenFile, java.nio.charset.StandardCharsets.UTF_8));
            } catch (final java.io.IOException e) {
                throw new IllegalArgumentException("cannot read --http-token-file " + httpTokenFile + ": "
                        + e.getClass().getSimpleName());
            }
        }
        final String value = env.get(HTTP_TOKEN_VARIABLE);
        return value == null || value.isBlank() ? null : ApiToken.of(value);
    }

    @Override
    public Integer call() throws Exception {
        final PrintStream out = System.out;
        // The embedded broker's log goes beside its data (read by log4j2.xml when logging starts,
        // which is after this point: nothing has logged yet).
        if (System.getProperty("vigil.broker.log") == null) {
            System.setProperty("vigil.broker.log", dataDir.resolve("broker.log").toString());
        }
        // Ctrl-C or SIGTERM: close in reverse order of start (demo traffic, Streams with its last
        // commit, registry, broker). The main thread is waiting in app.awaitStop() meanwhile.
        Runtime.getRuntime().addShutdownHook(new Thread(this::closeAll, "vigil-shutdown-hook"));
        try {
            // A bad token stops the run before anything starts.
            final ApiToken httpToken = httpToken();
            final boolean embedded = bootstrapServers == null;
            // Before anything starts: against a cluster, no key is no start.
            final PseudonymKeyOptions.Supplied pseudonyms = pseudonymKey(embedded);
            out.println("Pseudonym key " + pseudonyms.key().id() + " (" + pseudonyms.source() + ").");
            String bootstrap = bootstrapServers;
            String registryUrl = schemaRegistryUrl;
            if (embedded) {
                final boolean earlier = java.nio.file.Files.isDirectory(dataDir.resolve("kafka"));
                if (fresh) {
                    // Broker data, state and the registry journal go together: records kept without
                    // the journal would carry schema ids nobody can resolve.
                    deleteRecursively(dataDir.resolve("kafka"));
                    deleteRecursively(stateDir != null ? stateDir : dataDir.resolve("state"));
                    deleteRecursively(dataDir.resolve("registry"));
                }
                out.println("Starting the embedded Kafka broker (data in " + dataDir.resolve("kafka")
                        + (earlier && !fresh ? ", kept from the last run; --fresh starts afresh" : ", fresh") + ") ...");
                final EmbeddedKafka kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), brokerPort, controllerPort, Map.of());
                started.push(kafka);
                bootstrap = kafka.bootstrapServers();
                if (registryUrl == null) {
                    final EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(EmbeddedKafka.HOST, registryPort,
                            registryJournal());
                    started.push(registry);
                    registryUrl = registry.url();
                }
            } else if (registryUrl == null) {
                throw new IllegalArgumentException("--schema-registry-url is required with --bootstrap-servers");
            }

            final Map<String, String> clientConfig = new HashMap<>(KafkaClientConfig.resolve(System.getenv(), kafkaConfig));
            if (embedded) {
                // The embedded stack keeps its data, and with it the consumer group. Measured here
                // (Kafka 4.1.2): the closed run's member stays in the group until its session times
                // out, so a restart waited the default 45 s in REBALANCING. One process owns this
                // broker: a short session costs nothing and a restart waits at most this long.
                clientConfig.putIfAbsent("session.timeout.ms", "10000");
            }
            final StreamsSettings settings = new StreamsSettings(applicationId, bootstrap, registryUrl,
                    stateDir != null ? stateDir : dataDir.resolve("state"), commitInterval.toMillis(), replicationFactor,
                    partitions, threads, clientConfig);
            final MonitoringConfig monitoring = monitoringConfig().toBuilder().pseudonymKey(pseudonyms.key()).build();
            final var created = VigilTopics.ensure(settings.clientProperties(),
                    VigilTopics.topics(inputTopic, monitoring, partitions, replicationFactor, topicRetention,
                            deadLetterRetention));

            final SchemaRegistryClient registryClient = SchemaRegistries.forUrl(registryUrl, clientConfig);
            final VigilSerdes serdes = VigilSerdes.registry(registryClient);
            final MessageClassifier classifier = Classifiers.forStream(
                    new EncoderBudget(encoderRate, Math.max(1, 2 * encoderRate), partitions, encoderReserve));
            final VigilMetrics metrics = VigilMetrics.create();
            started.push(metrics);
            metrics.bindCrisisEncoder(Classifiers.semantic()::encoderNanos, Classifiers.semantic()::encoderInputs);
            metrics.bindSchemaRegistry(registryClient.status());
            final VigilTopology.Settings topologySettings = new VigilTopology.Settings(inputTopic,
                    new EventValidator(maxTextChars, maxEventSkew, redeliveryHorizon), monitoring);
            final VigilApp app = new VigilApp(VigilTopology.build(topologySettings, classifier, serdes, metrics.safety()),
                    settings);
            metrics.bindKafkaStreams(app.streams());
            // Read-only views of recent alerts and current aggregates, fed from the output topics.
            final RecentAlerts recentAlerts = new RecentAlerts();
            final CurrentAggregates currentAggregates = new CurrentAggregates();
            final String host = httpHost != null ? httpHost : embedded ? EmbeddedKafka.HOST : "0.0.0.0";
            final VigilHttpServer http = VigilHttpServer.start(host, httpPort, metrics::scrape, app::state,
                    recentAlerts, currentAggregates, () -> registryClient.status().up(), httpToken);
            started.push(http);
            started.push(app);
            final Map<String, Object> viewClient = new HashMap<>();
            settings.clientProperties().forEach((key, value) -> viewClient.put(String.valueOf(key), value));
            // Dead letters are counted as committed, from their topic, before the topology can write any.
            started.push(CommittedDeadLetters.start(viewClient, settings.applicationId(),
                    topologySettings.deadLetterTopic(), metrics.safety()));
            app.start();
            started.push(ViewFeeder.start(viewClient, monitoring.topic(Topics.ALERTS), monitoring.topic(Topics.AGGREGATES),
                    serdes, recentAlerts, currentAggregates, VIEW_LOOKBACK));
            if (embedded) {
                EmbeddedStackFile.write(dataDir, new EmbeddedStackFile.Stack(bootstrap, registryUrl));
                started.push(() -> EmbeddedStackFile.delete(dataDir));
            }
            if (!app.awaitRunning(Duration.ofMinutes(2))) {
                throw new IllegalStateException("Kafka Streams did not reach RUNNING (state " + app.state() + ")");
            }
            if (demo) {
                startDemo(bootstrap, clientConfig, serdes);
            }
            final String httpBase = "http://" + (host.equals("0.0.0.0") ? "localhost" : host) + ":" + http.port();
            printWelcome(out, embedded, bootstrap, registryUrl, settings, monitoring, classifier, created.size(), httpBase,
                    httpToken != null);
            started.push(StatusLine.start(metrics.registry(), () -> StatusLine.lag(app.streams().metrics(), inputTopic),
                    statusInterval, out));
            app.awaitStop();
            return app.state() == org.apache.kafka.streams.KafkaStreams.State.ERROR ? 1 : 0;
        } catch (final RuntimeException | java.io.IOException e) {
            System.err.println("vigil run: " + e.getMessage());
            closeAll();
            return 1;
        }
    }

    /**
     * The deployment's pseudonym key: from a file or the environment; with the embedded stack, the
     * one kept in the data directory (made at the first start); against a cluster, none is an error.
     */
    PseudonymKeyOptions.Supplied pseudonymKey(final boolean embedded) {
        return pseudonymKey.require(embedded, dataDir, true);
    }

    /** Where the embedded registry journals its schemas, beside the broker data it gives ids to. */
    private Path registryJournal() {
        return dataDir.resolve("registry/schemas.jsonl");
    }

    /**
     * The monitoring settings: the defaults (or the demo's), then every flag given. The demo's
     * windows are short so that a newcomer sees aggregates and a coordinated-abuse alert within a
     * minute or two of simulated traffic; its k is small because the simulator's affective
     * categories have few accounts per minute.
     */
    MonitoringConfig monitoringConfig() {
        final MonitoringConfig.Builder b = demo ? demoConfig() : MonitoringConfig.builder();
        if (inactivityGap != null) {
            b.inactivityGap(inactivityGap);
        }
        if (k != null) {
            b.k(k);
        }
        if (aggregateWindows != null && !aggregateWindows.isEmpty()) {
            b.aggregateWindows(aggregateWindows).alertWindow(aggregateWindows.size() - 1);
        }
        if (grace != null) {
            b.grace(grace);
        }
        if (referralLevel != null) {
            b.referralLevel(referralLevel);
        }
        if (referralReplies != null) {
            b.repliesForReferral(referralReplies);
        }
        if (referralRateThreshold != null) {
            b.referralRateThreshold(referralRateThreshold);
        }
        if (abuseWindow != null) {
            b.abuseWindow(abuseWindow);
        }
        if (abuseAdvance != null) {
            b.abuseAdvance(abuseAdvance);
        }
        if (abuseThreshold != null) {
            b.abuseMinAccounts(abuseThreshold);
        }
        if (sourceIdleTimeout != null) {
            b.sourceIdleTimeout(sourceIdleTimeout);
        }
        if (abuseSignificance != null) {
            b.abuseSignificance(abuseSignificance);
        }
        if (abuseBurstRatio != null) {
            b.abuseBurstRatio(abuseBurstRatio);
        }
        if (runbookBaseUrl != null) {
            b.runbookBaseUrl(runbookBaseUrl);
        }
        b.rawIdsInOutputs(rawIdsInOutputs);
        if (maxDimensionValues != null) {
            b.maxDimensionValues(maxDimensionValues);
        }
        b.windowAlertCounts(windowAlertCounts);
        return b.build();
    }

    /** Settings that show every kind of output within a minute or two of demo traffic. */
    static MonitoringConfig.Builder demoConfig() {
        return MonitoringConfig.builder()
                .inactivityGap(Duration.ofSeconds(90))
                .k(3)
                .aggregateWindows(List.of(
                        new MonitoringConfig.WindowSpec(Duration.ofMinutes(1), Duration.ofSeconds(20)),
                        new MonitoringConfig.WindowSpec(Duration.ofMinutes(5), Duration.ofMinutes(1))))
                .alertWindow(1)
                .grace(Duration.ofSeconds(5))
                .abuseWindow(Duration.ofMinutes(1))
                .abuseAdvance(Duration.ofSeconds(30));
    }

    private void startDemo(final String bootstrap, final Map<String, String> clientConfig, final VigilSerdes serdes) {
        final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                ProduceCommand.producerProperties(StreamsSettings.clientProperties(bootstrap, clientConfig)),
                new StringSerializer(), new ByteArraySerializer());
        final TrafficProducer traffic = new TrafficProducer(
                new TrafficSimulator(demoSeed, Instant.now(), demoRate, demoDuration), producer,
                serdes.value(ConversationEvent.class).serializer(), inputTopic, true, Clock.systemUTC());
        final Thread thread = new Thread(traffic, "vigil-demo-traffic");
        thread.setDaemon(true);
        thread.start();
        started.push(() -> {
            traffic.stop();
            thread.interrupt();
            thread.join(5_000);
            producer.close(Duration.ofSeconds(5));
        });
    }

    private void printWelcome(final PrintStream out, final boolean embedded, final String bootstrap,
                              final String registryUrl, final StreamsSettings settings, final MonitoringConfig monitoring,
                              final MessageClassifier classifier, final int createdTopics, final String httpBase,
                              final boolean httpToken) {
        // The other commands find the embedded stack through the discovery file in the data dir.
        final String flags = embedded
                ? (dataDir.equals(Path.of(".vigil")) ? "" : " --data-dir " + dataDir)
                : " --bootstrap-servers " + bootstrap + " --schema-registry-url " + registryUrl;
        out.println();
        out.println("Vigil is running (application id " + settings.applicationId() + ", exactly_once_v2, classifier "
                + classifier.version() + ").");
        out.println("  Kafka:            " + bootstrap + (embedded ? "  (embedded, data in " + dataDir.resolve("kafka")
                + ", log " + dataDir.resolve("broker.log") + ")" : ""));
        out.println("  Schema registry:  " + registryUrl + (embedded ? "  (embedded)" : ""));
        out.println("  Topics created:   " + createdTopics);
        out.println("  Input:            " + inputTopic + "   load events:  ./vigil produce --input events.jsonl" + flags);
        if (demo) {
            out.println("  Demo traffic:     " + demoRate + " events/s from the simulator (seed " + demoSeed + "), with");
            out.println("                    demo settings: aggregate windows " + windows(monitoring) + ", grace "
                    + human(monitoring.grace()) + ", k " + monitoring.k() + ", conversations end after "
                    + human(monitoring.inactivityGap()) + " idle,");
            out.println("                    abuse windows " + human(monitoring.abuseWindow()) + " every "
                    + human(monitoring.abuseAdvance()) + ". Expect signals at once, aggregates within about");
            out.println("                    30 s, referral alerts within about a minute; after a fresh start coordinated");
            out.println("                    abuse waits out a warm-up of two abuse windows (the campaign about 3.5 min).");
        } else {
            out.println("  Monitoring:       aggregate windows " + windows(monitoring) + ", grace " + human(monitoring.grace())
                    + ", k " + monitoring.k() + ", inactivity gap " + human(monitoring.inactivityGap()));
        }
        out.println("  Outputs (tail them in another terminal):");
        out.println("    ./vigil tail signals" + flags + "      " + monitoring.topic(Topics.MESSAGE_SIGNALS));
        out.println("    ./vigil tail alerts" + flags + "       " + monitoring.topic(Topics.ALERTS));
        out.println("    ./vigil tail aggregates" + flags + "   " + monitoring.topic(Topics.AGGREGATES));
        out.println("    ./vigil tail summaries" + flags + "    " + monitoring.topic(Topics.CONVERSATION_SUMMARIES));
        out.println("    ./vigil tail dlq" + flags + "          " + inputTopic + ".dlq (rejected input, with reasons)");
        out.println("  Metrics:          " + httpBase + "/metrics   (Prometheus)");
        out.println("  Health:           " + httpBase + "/health/live   " + httpBase + "/health/ready");
        out.println("  Views:            " + httpBase + "/api/alerts   " + httpBase + "/api/aggregates"
                + (httpToken ? "   (Authorization: Bearer <token>)" : ""));
        if (!statusInterval.isZero()) {
            out.println("  Status:           a line here every " + human(statusInterval)
                    + ": events/s, lag, alerts by type, dead letters (--status-interval 0 turns it off)");
        }
        out.println("Stop with Ctrl-C.");
        out.flush();
    }

    private static String windows(final MonitoringConfig monitoring) {
        final List<String> names = new ArrayList<>();
        for (final MonitoringConfig.WindowSpec w : monitoring.aggregateWindows()) {
            names.add(human(w.size()) + "/" + human(w.advance()));
        }
        return String.join(",", names);
    }

    /** 90s, 5m, 1h: the same form the duration flags take. */
    static String human(final Duration d) {
        final long s = d.toSeconds();
        if (s % 3600 == 0 && s > 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0 && s > 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    /** Reads {@code SIZE/ADVANCE}, e.g. {@code 5m/1m}; a bare size is a tumbling window. */
    static final class WindowSpecConverter implements picocli.CommandLine.ITypeConverter<MonitoringConfig.WindowSpec> {
        @Override
        public MonitoringConfig.WindowSpec convert(final String value) {
            final DurationConverter durations = new DurationConverter();
            final String[] parts = value.split("/", 2);
            final Duration size = durations.convert(parts[0]);
            return new MonitoringConfig.WindowSpec(size, parts.length == 2 ? durations.convert(parts[1]) : size);
        }
    }

    private static void deleteRecursively(final Path dir) throws java.io.IOException {
        if (!java.nio.file.Files.exists(dir)) {
            return;
        }
        try (var paths = java.nio.file.Files.walk(dir)) {
            for (final Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }

    private synchronized void closeAll() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (final Exception e) {
                System.err.println("while stopping: " + e.getMessage());
            }
        }
    }
}
