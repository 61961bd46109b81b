package dev.vigil.reliability;

import dev.vigil.app.StreamsSettings;
import dev.vigil.app.VigilTopics;
import dev.vigil.config.Topics;
import dev.vigil.ingest.DeadLetters;
import dev.vigil.it.TopicRecords;
import dev.vigil.schema.MessageSignals;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.config.MonitoringConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** What the reliability tests share: topics, a producer, and reading back what a user would see. */
final class Fixtures {
    static final String SIGNALS = MonitoringConfig.defaults().topic(Topics.MESSAGE_SIGNALS);
    static final String ALERTS = MonitoringConfig.defaults().topic(Topics.ALERTS);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Fixtures() {
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Vigil's topics (input, DLQ, outputs) as {@code vigil run} would create them. */
    static void createTopics(final String bootstrap, final String input, final int partitions) {
        VigilTopics.ensure(StreamsSettings.clientProperties(bootstrap, Map.of()),
                VigilTopics.topics(input, MonitoringConfig.defaults(), partitions, (short) 1));
    }

    /** A producer of raw input bytes keyed by conversation id, as any client of the input topic. */
    static KafkaProducer<String, byte[]> producer(final String bootstrap) {
        final Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2_000_000);
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    /** How many committed signals each event id has (read_committed, as a downstream consumer). */
    static Map<String, Long> signalsPerEvent(final String bootstrap, final VigilSerdes serdes) {
        final var d = serdes.value(MessageSignals.class).deserializer();
        return TopicRecords.readAll(bootstrap, SIGNALS, true).stream()
                .map(r -> d.deserialize(r.topic(), r.value()).getEventId())
                .collect(Collectors.groupingBy(id -> id, TreeMap::new, Collectors.counting()));
    }

    /** Dead letters of {@code input}: record key to its {@code vigil.dlq.reason} (keys are unique in these tests). */
    static Map<String, String> deadLetterReasons(final String bootstrap, final String input) {
        final Map<String, String> reasons = new TreeMap<>();
        for (final ConsumerRecord<byte[], byte[]> r : TopicRecords.readAll(bootstrap, input + ".dlq", true)) {
            final String key = r.key() == null ? "<null>" : new String(r.key(), StandardCharsets.UTF_8);
            final String previous = reasons.put(key, DeadLetters.header(r.headers(), DeadLetters.REASON));
            if (previous != null) {
                reasons.put(key, previous + "+" + reasons.get(key));
            }
        }
        return reasons;
    }

    static HttpResponse<String> get(final String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of an unlabelled metric in a Prometheus scrape, or NaN when absent. */
    static double metric(final String scrape, final String name) {
        final Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** Waits until {@code condition} holds; fails with {@code what} on timeout. */
    static void await(final Duration timeout, final String what, final Check condition) throws Exception {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s: " + what);
            }
            Thread.sleep(200);
        }
    }

    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }

    static List<String> lines(final String text, final String containing) {
        return text.lines().filter(l -> l.contains(containing)).toList();
    }
}
