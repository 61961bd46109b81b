package dev.vigil.bench;

import dev.vigil.app.VigilTopics;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.serde.ConfluentAvroSerde;
import dev.vigil.serde.EmbeddedSchemaRegistry;
import dev.vigil.serde.SchemaRegistries;
import dev.vigil.serde.SchemaRegistryClient;
import dev.vigil.simulate.TrafficSimulator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The benchmark's moving parts on one broker: pre-loading and pacing simulated traffic, Kafka's
 * own ceilings, Vigil end to end at full speed and at fixed rates, and the soak. Every method
 * starts and stops its own {@code vigil run} child, so runs do not share state or warm-up.
 */
public final class BenchRunner implements AutoCloseable {
    /** Simulated traffic's event-time rate for pre-loaded topics: realistic interleaving of conversations. */
    private static final double PRELOAD_EVENT_RATE = 200;

    /** Flags giving the soak windows, gap and abuse timings that fill within its first quarter (the demo's). */
    public static final List<String> SHORT_WINDOWS = List.of("--inactivity-gap", "90s", "--aggregate-windows", "1m/20s,5m/1m",
            "--grace", "5s", "--abuse-window", "1m", "--abuse-advance", "30s", "--k", "3");

    /** Event time a paced simulator runs before its traffic is sent (see {@link #paced}). */
    static final Duration LEAD = Duration.ofMinutes(3);

    private final Path workDir;
    private final LocalBroker broker;
    private final EmbeddedSchemaRegistry registry;
    private final SchemaRegistryClient registryClient;
    private final Admin admin;
    private final KafkaProducer<String, byte[]> producer;
    private final Serializer<ConversationEvent> eventSerializer;
    private final int partitions;
    private final List<String> vigilJvm;
    private final List<String> runFlags;
    private final PrintStream out;
    private final java.util.Set<VigilUnderTest> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private int runs;

    public BenchRunner(final Path repoRoot, final Path workDir, final int partitions, final List<String> vigilJvm,
                final List<String> runFlags, final PrintStream out) throws IOException, InterruptedException {
        this.workDir = workDir;
        this.partitions = partitions;
        this.vigilJvm = vigilJvm;
        this.runFlags = runFlags;
        this.out = out;
        this.broker = LocalBroker.start(repoRoot, workDir.resolve("broker"));
        try {
            this.registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0);
            this.registryClient = SchemaRegistries.forUrl(registry.url(), Map.of());
            final Properties client = new Properties();
            client.put("bootstrap.servers", broker.bootstrapServers());
            this.admin = Admin.create(client);
            final Properties p = new Properties();
            p.putAll(client);
            // As `vigil produce` and the demo traffic send: idempotent, acks=all, short linger, lz4.
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
            this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
            this.eventSerializer = new ConfluentAvroSerde<>(registryClient, ConversationEvent.class).serializer();
        } catch (final RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public String registryUrl() {
        return registry.url();
    }

    /** Mean size in bytes of simulated events as Vigil reads them (Confluent-framed Avro values). */
    public double meanFramedEventSize(final int sample, final long seed) {
        long bytes = 0;
        int n = 0;
        final TrafficSimulator sim = simulator(seed, sample, Instant.now());
        while (sim.hasNext() && n < sample) {
            bytes += eventSerializer.serialize("size-probe", sim.next()).length;
            n++;
        }
        return (double) bytes / n;
    }

    /** Kafka's ProducerPerformance then ConsumerPerformance on a fresh topic: records per second each. */
    public double[] kafkaCeiling(final long records, final int recordSize) throws Exception {
        final String topic = "bench-perf-" + (++runs);
        createTopics(List.of(topic));
        final KafkaPerf perf = new KafkaPerf(broker.toolsClassPath(), broker.bootstrapServers());
        final double produce = perf.produce(topic, records, recordSize);
        final double consume = perf.consume(topic, records);
        admin.deleteTopics(List.of(topic)).all().get();
        return new double[] {produce, consume};
    }

    /**
     * One end-to-end run: records per second as {@link #endToEnd} measures it, and signals per
     * second over the second half of its signals, after the child JVM's warm-up.
     */
    public record EndToEnd(double rate, double secondHalfRate) {
    }

    /**
     * Vigil end to end over a topic pre-loaded with {@code records} simulated events: records per
     * second from the first signal visible to a read_committed reader until every signal is
     * visible and Vigil's group has committed every source partition (input and internal
     * repartition topics) to its end, so the monitoring stages behind the signals are done too.
     */
    public EndToEnd endToEnd(final int records, final long seed, final List<String> extraJvm) throws Exception {
        final String id = "bench-e2e-" + (++runs);
        createVigilTopics(id);
        final TrafficSimulator sim = simulator(seed, records, Instant.now().minusSeconds((long) (records / PRELOAD_EVENT_RATE) + 60));
        int sent = 0;
        while (sim.hasNext() && sent < records) {
            final ConversationEvent e = sim.next();
            send(id, e, e.getTimestamp().toEpochMilli());
            sent++;
        }
        producer.flush();
        final List<String> jvm = new ArrayList<>(vigilJvm);
        jvm.addAll(extraJvm);
        try (OutputWatcher watcher = new OutputWatcher(broker.bootstrapServers(), registryClient);
             VigilUnderTest vigil = startVigil(id, jvm, List.of())) {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120 + sent / 20);
            while (watcher.signalCount() < sent) {
                if (System.nanoTime() > deadline || !vigil.isAlive()) {
                    throw new IOException("Vigil produced " + watcher.signalCount() + " of " + sent + " signals; see "
                            + vigil.output());
                }
                Thread.sleep(20);
            }
            final long signalsDone = System.currentTimeMillis();
            while (!caughtUp(id, id)) {
                if (System.nanoTime() > deadline || !vigil.isAlive()) {
                    throw new IOException("Vigil's group did not commit to the end of its sources; see " + vigil.output());
                }
                Thread.sleep(20);
            }
            final long done = System.currentTimeMillis();
            final List<OutputWatcher.Seen> seen = watcher.signals();
            final long first = seen.get(0).visibleMs();
            out.printf(Locale.ROOT, "  (%d events: last signal visible %.1f s after the first, every source offset committed"
                    + " %.1f s after the first)%n", sent, (signalsDone - first) / 1000.0, (done - first) / 1000.0);
            // The first half includes the child JVM's warm-up (its JIT compiler takes up to a core on
            // a small machine for tens of seconds), which a long-running instance has behind it.
            final int half = seen.size() / 2;
            final double secondHalfRate = (seen.size() - half) * 1000.0
                    / Math.max(1, seen.get(seen.size() - 1).visibleMs() - seen.get(half).visibleMs());
            out.printf(Locale.ROOT, "  (second half of the signals: %,.0f records/s, the instance warmed up; the"
                    + " monitoring stages behind them are not waited for)%n", secondHalfRate);
            final long changelog = internalTopicBytes(id, "-changelog");
            final long repartition = internalTopicBytes(id, "-repartition");
            out.printf(Locale.ROOT, "  (internal topics written: changelogs %,.0f bytes per event, repartition topics %,.0f"
                    + " bytes per event, on the broker's disk)%n", changelog / (double) sent, repartition / (double) sent);
            // Which stores and hops those bytes come from: where the next saving is.
            final Map<String, Long> byTopic = internalTopicBytesByTopic(id);
            final double events = sent;
            final int prefix = id.length() + 1;
            out.printf(Locale.ROOT, "  (largest, bytes per event: %s)%n", byTopic.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(5)
                    .map(e -> String.format(Locale.ROOT, "%s %,.0f", e.getKey().substring(prefix),
                            e.getValue() / events))
                    .collect(java.util.stream.Collectors.joining(", ")));
            return new EndToEnd(sent * 1000.0 / Math.max(1, done - first), secondHalfRate);
        }
    }

    /**
     * Latency figures of one fixed-load phase. Signals are matched to the phase's own events by
     * event id ({@code signals}: events with a signal; {@code duplicates}: events with more than
     * one), so a late event of the phase before cannot count here; alerts carry no event id and
     * are taken by event time.
     */
    public record RatePhase(double targetRate, double achievedRate, int signals, int sent, int duplicates,
                            double signalP50, double signalP99, double signalMax, int alerts, double alertP50,
                            double alertP99, double alertMax) {
    }

    /**
     * One Vigil process fed live at each of {@code rates} in turn for {@code phase} each (after a
     * warm-up at the first rate that is not counted): events are sent when the wall clock reaches
     * their event time, so the latency of an output is its visibility time minus its event time.
     */
    public List<RatePhase> fixedRates(final List<Double> rates, final Duration phase, final Duration warmUp, final long seed)
            throws Exception {
        final String id = "bench-rate-" + (++runs);
        createVigilTopics(id);
        final List<RatePhase> result = new ArrayList<>();
        try (OutputWatcher watcher = new OutputWatcher(broker.bootstrapServers(), registryClient);
             VigilUnderTest vigil = startVigil(id, vigilJvm, List.of())) {
            paced(id, seed, rates.get(0), warmUp, sentId -> { });
            long s = seed;
            for (final double rate : rates) {
                final long start = System.currentTimeMillis();
                // Far apart, so no two segments of any phase share a simulator seed (or conversation ids).
                s += 1000;
                final java.util.Set<String> sentIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
                final int sent = paced(id, s, rate, phase, sentIds::add);
                final long end = System.currentTimeMillis();
                // Let the phase's last outputs arrive before the next phase starts.
                final long drain = System.currentTimeMillis() + 30_000;
                while (signalled(watcher, sentIds)[0] < sentIds.size() && System.currentTimeMillis() < drain) {
                    Thread.sleep(200);
                }
                Thread.sleep(2_000);
                final int[] seen = signalled(watcher, sentIds);
                final List<Long> signal = latencies(watcher.signals().stream()
                        .filter(x -> sentIds.contains(x.eventId())).toList());
                final List<Long> alert = latencies(inRange(watcher.referralAlerts(), start, end));
                result.add(new RatePhase(rate, sent * 1000.0 / (end - start), seen[0], sent, seen[1],
                        Stats.percentile(signal, 50), Stats.percentile(signal, 99), Stats.percentile(signal, 100),
                        alert.size(), Stats.percentile(alert, 50), Stats.percentile(alert, 99), Stats.percentile(alert, 100)));
                if (!vigil.isAlive()) {
                    throw new IOException("vigil run died; see " + vigil.output());
                }
            }
        }
        return result;
    }

    /** What a soak saw: the samples, and whether every event came out once and the aggregates add up. */
    public record SoakRun(List<SoakVerdict.Sample> samples, boolean exact, List<String> findings) {
    }

    /**
     * Feeds Vigil at {@code rate} for {@code duration} with short windows and samples lag, heap
     * after GC and state on disk every {@code every}. Then waits for Vigil to commit to the end
     * of its input and checks the outputs: every event sent has exactly one signal, and each
     * published smallest-size {@code all} cell counts exactly the signals whose event time lies in
     * its window.
     */
    public SoakRun soak(final double rate, final Duration duration, final Duration every, final long seed)
            throws Exception {
        final String id = "bench-soak-" + (++runs);
        createVigilTopics(id);
        final List<SoakVerdict.Sample> samples = new ArrayList<>();
        final java.util.Set<String> sentIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (OutputWatcher watcher = new OutputWatcher(broker.bootstrapServers(), registryClient);
             VigilUnderTest vigil = startVigil(id, vigilJvm, SHORT_WINDOWS)) {
            final AtomicReference<Exception> failure = new AtomicReference<>();
            final Thread feeder = new Thread(() -> {
                try {
                    paced(id, seed, rate, duration, sentIds::add);
                } catch (final Exception e) {
                    failure.set(e);
                }
            }, "bench-soak-traffic");
            feeder.setDaemon(true);
            final long start = System.nanoTime();
            feeder.start();
            while (feeder.isAlive()) {
                feeder.join(every.toMillis());
                if (!feeder.isAlive()) {
                    break;
                }
                if (!vigil.isAlive()) {
                    throw new IOException("vigil run died during the soak; see " + vigil.output());
                }
                final double t = (System.nanoTime() - start) / 1e9;
                final SoakVerdict.Sample sample = new SoakVerdict.Sample(t, inputLag(id, id), vigil.liveHeapAfterFullGc(),
                        vigil.stateBytesOnDisk());
                samples.add(sample);
                out.printf(Locale.ROOT, "  soak %5.0f s: lag %6d records, heap after full GC %6.1f MiB, state on disk %6.1f MiB%n",
                        t, sample.lag(), sample.heapAfterGcBytes() / 1048576.0, sample.stateBytes() / 1048576.0);
            }
            if (failure.get() != null) {
                throw failure.get();
            }
            final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!caughtUp(id, id) || watcher.signalCount() < sentIds.size()) {
                if (System.nanoTime() > deadline || !vigil.isAlive()) {
                    break;
                }
                Thread.sleep(100);
            }
            Thread.sleep(2_000); // the watcher's last polls
            final List<String> findings = new ArrayList<>();
            final boolean exact = checkOutputs(sentIds, watcher, findings);
            return new SoakRun(samples, exact, findings);
        }
    }

    /** Every sent event has exactly one signal; each published smallest-size all-cell counts its window's signals. */
    private static boolean checkOutputs(final java.util.Set<String> sent, final OutputWatcher watcher,
                                        final List<String> findings) {
        final Map<String, Integer> perEvent = watcher.signalsPerEvent();
        final long missing = sent.stream().filter(e -> !perEvent.containsKey(e)).count();
        final long twice = perEvent.values().stream().filter(n -> n > 1).count();
        final long unknown = perEvent.keySet().stream().filter(e -> !sent.contains(e)).count();
        findings.add(String.format(Locale.ROOT, "events: %,d sent, %,d with exactly one signal, %d without, %d with more"
                + " than one, %d signals for events not sent", sent.size(),
                perEvent.entrySet().stream().filter(e -> e.getValue() == 1 && sent.contains(e.getKey())).count(),
                missing, twice, unknown));
        final List<OutputWatcher.Seen> signals = watcher.signals();
        final String smallest = watcher.aggregates().stream().map(a -> java.time.Duration.parse(a.getWindowSize()))
                .min(java.util.Comparator.naturalOrder()).map(java.time.Duration::toString).orElse("");
        int windows = 0;
        int wrong = 0;
        for (final var a : watcher.aggregates()) {
            if (!a.getWindowSize().equals(smallest) || !a.getDimension().equals("all") || a.getSuppressed()) {
                continue;
            }
            final long from = a.getWindowStart().toEpochMilli();
            final long to = a.getWindowEnd().toEpochMilli();
            final long counted = signals.stream().filter(s -> s.eventTimeMs() >= from && s.eventTimeMs() < to).count();
            windows++;
            if (counted != a.getMessages()) {
                wrong++;
                if (wrong <= 5) {
                    findings.add("aggregate " + a.getWindowStart() + " " + smallest + ": " + a.getMessages()
                            + " messages, " + counted + " signals in its window");
                }
            }
        }
        findings.add(String.format(Locale.ROOT, "aggregates: %d published %s all-cells, %d of them count exactly the"
                + " signals of their window", windows, smallest, windows - wrong));
        return missing == 0 && twice == 0 && unknown == 0 && wrong == 0 && windows > 0;
    }

    /**
     * Sends simulated traffic at {@code rate} events/s for {@code duration}, each event when the
     * wall clock reaches its event time; returns how many were sent. The simulator starts
     * {@link #LEAD} of event time earlier and what falls before now is skipped, so the traffic is
     * at its steady rate from the first second (a simulator ramps up while its first conversations
     * get going). Every {@link CrisisProbe#EVERY} a {@link CrisisProbe} is mixed in: a crisis
     * disclosure and, shortly after, an assistant reply without a referral, which raises a
     * MISSED_REFERRAL alert, so crisis-to-alert latency has samples at any load.
     */
    private int paced(final String topic, final long seed, final double rate, final Duration duration,
                      final java.util.function.Consumer<String> sentIds) throws InterruptedException {
        final long now = System.currentTimeMillis();
        final long end = now + duration.toMillis();
        final TrafficSimulator sim = new TrafficSimulator(seed, Instant.ofEpochMilli(now).minus(LEAD), rate,
                LEAD.plus(duration));
        final java.util.PriorityQueue<ConversationEvent> probes = new java.util.PriorityQueue<>(
                java.util.Comparator.comparing(ConversationEvent::getTimestamp));
        for (long t = now + 500; t < end - CrisisProbe.REPLY_AFTER.toMillis(); t += CrisisProbe.EVERY.toMillis()) {
            probes.addAll(CrisisProbe.conversation(seed + "-" + t, t));
        }
        int sent = 0;
        while (sim.hasNext() || !probes.isEmpty()) {
            final ConversationEvent simulated = sim.hasNext() ? sim.next() : null;
            if (simulated != null && simulated.getTimestamp().toEpochMilli() < now) {
                continue;
            }
            final long until = simulated == null ? Long.MAX_VALUE : simulated.getTimestamp().toEpochMilli();
            while (!probes.isEmpty() && probes.peek().getTimestamp().toEpochMilli() <= until) {
                final ConversationEvent probe = probes.poll();
                sendAt(topic, probe);
                sentIds.accept(probe.getEventId());
                sent++;
            }
            if (simulated != null && until <= end) {
                sendAt(topic, simulated);
                sentIds.accept(simulated.getEventId());
                sent++;
            }
        }
        producer.flush();
        return sent;
    }

    private void sendAt(final String topic, final ConversationEvent e) throws InterruptedException {
        final long wait = e.getTimestamp().toEpochMilli() - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
        send(topic, e, e.getTimestamp().toEpochMilli());
    }

    private void send(final String topic, final ConversationEvent e, final long timestamp) {
        producer.send(new ProducerRecord<>(topic, null, timestamp, e.getConversationId(), eventSerializer.serialize(topic, e)));
    }

    private static TrafficSimulator simulator(final long seed, final int records, final Instant start) {
        // A little more event time than needed: the simulator's rate is approximate.
        final Duration span = Duration.ofSeconds((long) Math.ceil(records / PRELOAD_EVENT_RATE * 1.5) + 60);
        return new TrafficSimulator(seed, start, PRELOAD_EVENT_RATE, span);
    }

    /** Of {@code ids}: how many have a signal, and how many have more than one. */
    private static int[] signalled(final OutputWatcher watcher, final java.util.Set<String> ids) {
        int with = 0;
        int twice = 0;
        for (final Map.Entry<String, Integer> e : watcher.signalsPerEvent().entrySet()) {
            if (ids.contains(e.getKey())) {
                with++;
                twice += e.getValue() > 1 ? 1 : 0;
            }
        }
        return new int[] {with, twice};
    }

    private static List<OutputWatcher.Seen> inRange(final List<OutputWatcher.Seen> seen, final long from, final long to) {
        return seen.stream().filter(s -> s.eventTimeMs() >= from && s.eventTimeMs() <= to).toList();
    }

    private static List<Long> latencies(final List<OutputWatcher.Seen> seen) {
        return seen.stream().map(OutputWatcher.Seen::latencyMs).collect(Collectors.toList());
    }

    /**
     * True when the group has committed every partition of {@code input} and of every other topic
     * it reads to the end of what is committed there (one offset of slack per partition: the
     * marker that ends a transaction is not a record a consumer commits past).
     */
    private boolean caughtUp(final String group, final String input) throws ExecutionException, InterruptedException {
        final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        final long inputPartitions = committed.keySet().stream().filter(tp -> tp.topic().equals(input)).count();
        if (inputPartitions < partitions) {
            return false;
        }
        final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        final var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
        for (final Map.Entry<TopicPartition, OffsetAndMetadata> c : committed.entrySet()) {
            if (c.getValue() == null || ends.get(c.getKey()).offset() - c.getValue().offset() > 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * Bytes on the broker's disk of application {@code applicationId}'s internal topics whose
     * names end with {@code suffix}: what its state changelogs or repartitioning cost per event.
     */
    private long internalTopicBytes(final String applicationId, final String suffix)
            throws ExecutionException, InterruptedException {
        return internalTopicBytesByTopic(applicationId).entrySet().stream()
                .filter(e -> e.getKey().endsWith(suffix)).mapToLong(Map.Entry::getValue).sum();
    }

    /** Bytes on the broker's disk of each internal topic of application {@code applicationId}. */
    private Map<String, Long> internalTopicBytesByTopic(final String applicationId)
            throws ExecutionException, InterruptedException {
        final List<Integer> brokers = admin.describeCluster().nodes().get().stream()
                .map(org.apache.kafka.common.Node::id).toList();
        final Map<String, Long> bytes = new HashMap<>();
        for (final var dirs : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
            for (final var dir : dirs.values()) {
                for (final var replica : dir.replicaInfos().entrySet()) {
                    final String topic = replica.getKey().topic();
                    if (topic.startsWith(applicationId + "-")) {
                        bytes.merge(topic, replica.getValue().size(), Long::sum);
                    }
                }
            }
        }
        return bytes;
    }

    /** Records in {@code input} not yet committed by the group. */
    private long inputLag(final String group, final String input) throws ExecutionException, InterruptedException {
        final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(input, p), OffsetSpec.latest());
        }
        final var ends = admin.listOffsets(latest).all().get();
        long lag = 0;
        for (final var end : ends.entrySet()) {
            final OffsetAndMetadata c = committed.get(end.getKey());
            lag += end.getValue().offset() - (c == null ? 0 : c.offset());
        }
        return lag;
    }

    /**
     * The topics {@code vigil run} would create for input {@code input}, created now (as Vigil
     * does: same configs) so the output watcher can start at their ends before Vigil starts.
     */
    private void createVigilTopics(final String input) {
        final Properties client = new Properties();
        client.put("bootstrap.servers", broker.bootstrapServers());
        VigilTopics.ensure(client, VigilTopics.topics(input, MonitoringConfig.defaults(), partitions, (short) 1));
        awaitLeaders(input);
    }

    /**
     * Waits until the broker answers offset requests for every partition of {@code topic}, i.e.
     * leads them. Measured here (Kafka 4.1.2): an idempotent producer whose first batch to a
     * just-created topic got NOT_LEADER_OR_FOLLOWER retried the next batches with
     * OUT_OF_ORDER_SEQUENCE_NUMBER forever.
     */
    private void awaitLeaders(final String topic) {
        final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
                return;
            } catch (final Exception e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("partitions of " + topic + " have no leader after 60 s", e);
                }
                try {
                    Thread.sleep(100);
                } catch (final InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(interrupted);
                }
            }
        }
    }

    private void createTopics(final List<String> names) throws ExecutionException, InterruptedException {
        final var existing = admin.listTopics().names().get();
        final List<NewTopic> missing = names.stream().filter(n -> !existing.contains(n))
                .map(n -> new NewTopic(n, partitions, (short) 1)).toList();
        if (!missing.isEmpty()) {
            admin.createTopics(missing).all().get();
        }
        names.forEach(this::awaitLeaders);
    }

    public long brokerPid() throws IOException {
        return broker.pid();
    }

    private VigilUnderTest startVigil(final String id, final List<String> jvm, final List<String> flags) throws Exception {
        final List<String> all = new ArrayList<>(flags);
        // Given last: of a repeated single-value option picocli keeps the last, so the operator's flags win.
        all.addAll(runFlags);
        final VigilUnderTest vigil = VigilUnderTest.start(workDir, broker.bootstrapServers(), registry.url(), id, id,
                partitions, jvm, all);
        live.add(vigil);
        return vigil;
    }

    /** Stops every Vigil child, the registry and the broker; safe to call twice (shutdown hook and normal end). */
    @Override
    public void close() throws Exception {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (final VigilUnderTest vigil : live) {
            vigil.close();
        }
        try {
            producer.close(Duration.ofSeconds(10));
            admin.close(Duration.ofSeconds(10));
            registry.close();
        } finally {
            broker.close();
        }
    }
}
