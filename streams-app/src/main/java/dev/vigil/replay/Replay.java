package dev.vigil.replay;

import dev.vigil.stream.InputLag;

import dev.vigil.app.StreamsSettings;
import dev.vigil.app.VigilTopics;
import dev.vigil.classify.MessageClassifier;
import dev.vigil.config.Topics;
import dev.vigil.ingest.EventValidator;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.topology.VigilTopology;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One replay: Vigil's whole topology ({@link VigilTopology}) run again over a time range of the
 * input topic under its own application id, writing to its own prefixed output topics, and
 * stopping by itself when the range is done. The live application, its consumer group, its
 * state and its output topics (the alert router reads {@code safety.alerts}) are never touched.
 *
 * <p>Sequence: plan the offsets ({@link ReplayPlan}), commit them on the new group, create the
 * prefixed output topics, start Kafka Streams with producers that publish only the range
 * ({@link ReplayRange}), wait until every input partition has committed its stop offset and every
 * repartition topic is drained, stop, and (unless state is kept) delete the internal topics, the
 * consumer group and the local state.
 */
public final class Replay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Replay.class);
    /** Output topics of a replay are {@code backfill.<name>.<live name>}. */
    public static final String PREFIX = "backfill";
    public static final String APPLICATION_ID_PREFIX = "vigil-replay-";
    private static final Duration POLL = Duration.ofMillis(250);

    /**
     * What to replay and how.
     *
     * @param name       names the replay: output prefix {@code backfill.<name>}, application id
     *                   {@code vigil-replay-<name>}
     * @param inputTopic the live input topic to read
     * @param range      event times read and published
     * @param keepState  keep internal topics, consumer group and local state afterwards
     * @param streams    how to run Kafka Streams (its application id is replaced by the replay's)
     * @param monitoring the live monitoring settings (the replay adds its output prefix)
     * @param validator  the live input rules
     */
    public record Options(String name, String inputTopic, ReplayRange range, boolean keepState,
                          StreamsSettings streams, MonitoringConfig monitoring, EventValidator validator) {
        public Options {
            if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("replay name must be letters, digits, '.', '_' or '-': " + name);
            }
        }

        public String outputPrefix() {
            return Replay.outputPrefix(name);
        }

        public String applicationId() {
            return APPLICATION_ID_PREFIX + name;
        }

        public MonitoringConfig replayMonitoring() {
            return monitoring.withOutputPrefix(outputPrefix());
        }
    }

    /** What a finished replay did. */
    public record Result(String outputPrefix, long records, Duration elapsed, long withheld, Set<String> outputTopics) {
    }

    private final Options options;
    private final Properties client;
    private final ReplayPlan plan;
    private final Set<String> outputTopics;
    private final ReplayClientSupplier clients;
    private final KafkaStreams streams;
    private long startedNanos;
    private boolean closed;

    /** Plans the replay and commits its start offsets; nothing runs until {@link #start()}. */
    public Replay(final Options options, final MessageClassifier classifier, final VigilSerdes serdes,
                  final SafetyMetrics metrics) {
        this.options = options;
        this.client = options.streams().clientProperties();
        final MonitoringConfig monitoring = options.replayMonitoring();
        final VigilTopology.Settings settings = new VigilTopology.Settings(options.inputTopic(), options.validator(),
                monitoring);
        try (Admin admin = Admin.create(client)) {
            refuseIfInUse(admin, options.applicationId());
            this.plan = ReplayPlan.compute(admin, options.inputTopic(), options.range());
            final int partitions = plan.start().size();
            final short rf = options.streams().replicationFactor();
            final List<NewTopic> topics = new ArrayList<>();
            for (final NewTopic t : VigilTopics.topics(options.inputTopic(), monitoring, partitions, rf)) {
                // The live input and its dead-letter topic are not the replay's to create.
                if (t.name().startsWith(options.outputPrefix() + ".")) {
                    topics.add(keptUntilDeleted(t));
                }
            }
            topics.add(keptUntilDeleted(new NewTopic(settings.deadLetterTopic(), partitions, rf)));
            VigilTopics.ensure(client, topics);
            this.outputTopics = new LinkedHashSet<>();
            topics.forEach(t -> outputTopics.add(t.name()));
            plan.commitStart(admin, options.applicationId());
        }
        final Topology topology = VigilTopology.build(settings, classifier, serdes, metrics);
        final StreamsSettings s = options.streams();
        final StreamsSettings replaySettings = new StreamsSettings(options.applicationId(), s.bootstrapServers(),
                s.schemaRegistryUrl(), s.stateDir(), s.commitIntervalMs(), s.replicationFactor(), s.partitions(),
                s.threads(), s.clientConfig());
        // Every input partition has a committed start offset, so where it begins is decided by
        // the plan alone; internal topics start empty.
        final Properties props = replaySettings.toProperties();
        this.clients = new ReplayClientSupplier(outputTopics, options.range());
        this.streams = new KafkaStreams(topology, props, clients);
        InputLag.register(options.applicationId(), streams::metrics, topology.describe());
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("replay stream thread failed ({}: {})", e.getClass().getSimpleName(), e.getMessage());
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                    .SHUTDOWN_CLIENT;
        });
    }

    /**
     * No time-based retention on a replay's output: its records carry the (past) event times of
     * the history replayed, so a retention of, say, seven days would delete a backfill of last
     * month within minutes of writing it. The analyst deletes the topics when done.
     */
    private static NewTopic keptUntilDeleted(final NewTopic t) {
        final Map<String, String> configs = new java.util.HashMap<>(t.configs() == null ? Map.of() : t.configs());
        configs.put(org.apache.kafka.common.config.TopicConfig.RETENTION_MS_CONFIG, "-1");
        return new NewTopic(t.name(), t.numPartitions(), t.replicationFactor()).configs(configs);
    }

    public static String outputPrefix(final String name) {
        return PREFIX + "." + name;
    }

    /** A replay name must be new: reusing one would mix its old state into the new results. */
    private static void refuseIfInUse(final Admin admin, final String applicationId) {
        final Set<String> internal = GroupOffsets.internalTopics(admin, applicationId, Set.of("-changelog", "-repartition"));
        if (!internal.isEmpty()) {
            throw new IllegalStateException("replay application " + applicationId + " still has internal topics ("
                    + internal.iterator().next() + ", ...): a kept replay of that name exists; pick another name");
        }
        try {
            final ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(applicationId))
                    .describedGroups().get(applicationId).get(30, TimeUnit.SECONDS);
            if (!group.members().isEmpty()) {
                throw new IllegalStateException("replay application " + applicationId + " is running elsewhere");
            }
        } catch (final ExecutionException e) {
            if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                throw new IllegalStateException("cannot describe group " + applicationId + ": " + e.getMessage(), e);
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (final java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot describe group " + applicationId, e);
        }
    }

    public ReplayPlan plan() {
        return plan;
    }

    public Set<String> outputTopics() {
        return Set.copyOf(outputTopics);
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public void start() {
        startedNanos = System.nanoTime();
        streams.start();
    }

    /**
     * Blocks until the replay has processed its range, reporting progress about every
     * {@code progressEvery}; then stops it and cleans up. Fails if the application fails or the
     * timeout passes.
     */
    public Result awaitCompletion(final Duration timeout, final Duration progressEvery,
                                  final Consumer<Progress> progress) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        long nextReport = 0;
        try (Admin admin = Admin.create(client)) {
            final GroupOffsets group = new GroupOffsets(admin, options.applicationId());
            // 1. Every input partition has committed its stop offset.
            while (true) {
                final Map<TopicPartition, Long> committed = group.committed();
                final Progress p = progress(committed);
                if (System.nanoTime() >= nextReport) {
                    progress.accept(p);
                    nextReport = System.nanoTime() + progressEvery.toNanos();
                }
                if (GroupOffsets.reached(committed, plan.stop(), plan.start())) {
                    progress.accept(p);
                    break;
                }
                waitOrFail(deadline);
            }
            // 2. Drain the repartition topics: what the range produced into them is processed
            // too. Each round takes the current ends and waits for them; a record produced from
            // a later stage's input appears in the next round, and the chain is at most as long
            // as the number of repartition topics. Live traffic arriving meanwhile cannot keep
            // it from finishing, since each round's target is fixed when the round starts.
            final Set<String> repartition = group.repartitionTopics();
            drain(group, repartition, deadline);
            // 3. Partitions whose input ended before the others hold the last windows open
            // until their tasks report themselves idle (after the idle timeout of quiet input),
            // exactly as they did live. A quiet report can release records that make the next
            // stage's task quiet in turn (the first aggregate phase sends what it held, the
            // merging task closes windows, publication follows), so one idle timeout is not
            // enough: wait until nothing new has reached any repartition or output topic for
            // longer than a task takes to notice it is quiet, draining whatever arrives.
            final long quietNanos = (options.replayMonitoring().sourceIdleTimeout().toMillis() * 2
                    + 2 * options.streams().commitIntervalMs()) * 1_000_000L;
            final Set<String> watched = new java.util.HashSet<>(repartition);
            watched.addAll(existing(admin, outputTopics));
            Map<TopicPartition, Long> seen = group.ends(watched);
            long stillSince = System.nanoTime();
            while (System.nanoTime() - stillSince < quietNanos) {
                waitOrFail(deadline);
                drain(group, repartition, deadline);
                final Map<TopicPartition, Long> now = group.ends(watched);
                if (!now.equals(seen)) {
                    seen = now;
                    stillSince = System.nanoTime();
                }
            }
        }
        final Duration elapsed = Duration.ofNanos(System.nanoTime() - startedNanos);
        close();
        return new Result(options.outputPrefix(), plan.records(), elapsed, clients.withheld(), outputTopics());
    }

    /** Those of {@code topics} that exist: an output the range never wrote to may not have been created. */
    private static Set<String> existing(final Admin admin, final Set<String> topics) {
        final Set<String> names = GroupOffsets.get(admin.listTopics().names());
        final Set<String> out = new java.util.HashSet<>(topics);
        out.retainAll(names);
        return out;
    }

    /** Waits until the group has committed every record now in the repartition topics, stage by stage. */
    private void drain(final GroupOffsets group, final Set<String> repartition, final long deadline)
            throws InterruptedException {
        for (int round = 0; round <= repartition.size(); round++) {
            final Map<TopicPartition, Long> ends = group.ends(repartition);
            while (!GroupOffsets.reached(group.committed(), ends, null)) {
                waitOrFail(deadline);
            }
        }
    }

    private Progress progress(final Map<TopicPartition, Long> committed) {
        long done = 0;
        for (final Map.Entry<TopicPartition, Long> e : plan.start().entrySet()) {
            final long stop = plan.stop().get(e.getKey());
            final long c = committed.getOrDefault(e.getKey(), e.getValue());
            done += Math.max(0, Math.min(c, stop) - e.getValue());
        }
        return new Progress(done, plan.records(), Duration.ofNanos(System.nanoTime() - startedNanos));
    }

    private void waitOrFail(final long deadline) throws InterruptedException {
        final KafkaStreams.State state = streams.state();
        if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                || state == KafkaStreams.State.NOT_RUNNING) {
            throw new IllegalStateException("the replay application stopped (state " + state + ")");
        }
        if (System.nanoTime() >= deadline) {
            throw new IllegalStateException("the replay did not finish in time");
        }
        Thread.sleep(POLL.toMillis());
    }

    /** Stops the application; unless state is kept, deletes its internal topics, group and local state. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Leave the group now, so it is empty and can be deleted at once.
        streams.close(new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30)).leaveGroup(true));
        InputLag.unregister(options.applicationId());
        if (options.keepState()) {
            return;
        }
        streams.cleanUp();
        // cleanUp() leaves the application's directory when its process-metadata file remains.
        try {
            org.apache.kafka.common.utils.Utils.delete(options.streams().stateDir().resolve(options.applicationId()).toFile());
        } catch (final java.io.IOException e) {
            LOG.warn("could not delete the replay's state directory: {}", e.getMessage());
        }
        try (Admin admin = Admin.create(client)) {
            final Set<String> internal = GroupOffsets.internalTopics(admin, options.applicationId(),
                    Set.of("-changelog", "-repartition"));
            if (!internal.isEmpty()) {
                GroupOffsets.get(admin.deleteTopics(internal).all());
            }
            deleteGroup(admin);
        }
    }

    /** Deletes the replay's consumer group (removing members whose departure has not registered). */
    private void deleteGroup(final Admin admin) {
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                admin.deleteConsumerGroups(List.of(options.applicationId())).all().get(30, TimeUnit.SECONDS);
                return;
            } catch (final ExecutionException e) {
                if (e.getCause() instanceof GroupIdNotFoundException) {
                    return;
                }
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.GroupNotEmptyException)
                        || System.nanoTime() > deadline) {
                    LOG.warn("could not delete consumer group {}: {}", options.applicationId(), e.getMessage());
                    return;
                }
                // The application is closed, but its member's departure has not registered (a
                // stream thread's consumer does not always leave): remove the group's members,
                // rather than wait out their session timeout.
                try {
                    admin.removeMembersFromConsumerGroup(options.applicationId(),
                            new org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions())
                            .all().get(30, TimeUnit.SECONDS);
                } catch (final ExecutionException | java.util.concurrent.TimeoutException removeFailed) {
                    // Retried below, until the deadline.
                } catch (final InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (final java.util.concurrent.TimeoutException e) {
                LOG.warn("timed out deleting consumer group {}", options.applicationId());
                return;
            }
            try {
                Thread.sleep(500);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
