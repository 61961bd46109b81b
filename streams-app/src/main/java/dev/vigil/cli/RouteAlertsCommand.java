package dev.vigil.cli;

import dev.vigil.alert.route.AlertDeliverer;
import dev.vigil.alert.route.AlertRouter;
import dev.vigil.alert.route.AlertRouterLoop;
import dev.vigil.alert.route.Destination;
import dev.vigil.alert.route.OpsgenieDestination;
import dev.vigil.alert.route.PagerDutyDestination;
import dev.vigil.alert.route.RetryPolicy;
import dev.vigil.alert.route.SlackDestination;
import dev.vigil.alert.route.WebhookDestination;
import dev.vigil.app.EmbeddedStackFile;
import dev.vigil.config.Topics;
import dev.vigil.http.CurrentAggregates;
import dev.vigil.http.RecentAlerts;
import dev.vigil.http.VigilHttpServer;
import dev.vigil.metrics.VigilMetrics;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;
import dev.vigil.serde.SchemaRegistryClient;
import dev.vigil.serde.VigilSerdes;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code vigil route-alerts}: delivers {@code safety.alerts} to PagerDuty, Opsgenie, Slack and a
 * signed webhook. A destination is on when its secret is set. Secrets come from the environment
 * (or files, for Kubernetes secrets mounted as volumes) and never from flags, so they never show
 * in {@code ps} or shell history, and they are never logged.
 *
 * <ul>
 *   <li>{@code VIGIL_PAGERDUTY_ROUTING_KEY} or {@code --pagerduty-routing-key-file}</li>
 *   <li>{@code VIGIL_OPSGENIE_API_KEY} or {@code --opsgenie-api-key-file}</li>
 *   <li>{@code VIGIL_SLACK_WEBHOOK_URL} or {@code --slack-webhook-url-file}</li>
 *   <li>{@code VIGIL_WEBHOOK_SECRET} or {@code --webhook-secret-file}, with {@code --webhook-url}</li>
 * </ul>
 * It connects like every other job ({@link ConnectionOptions}): {@code --bootstrap-servers} and
 * {@code --schema-registry-url} or the running embedded stack, Kafka client and registry settings
 * through {@code --kafka-config ssl.truststore.location=...} or {@code KAFKA_SSL_TRUSTSTORE_LOCATION=...}.
 * The registry client gets the same settings as {@code vigil run}'s ({@code basic.auth.user.info},
 * {@code schema.registry.ssl.truststore.*}, retries); its state is in {@code vigil_schema_registry_up}
 * and the health answers, and an alert it cannot read for want of the registry waits (see
 * {@link AlertRouterLoop}).
 */
@Command(name = "route-alerts", mixinStandardHelpOptions = true,
        description = {"Deliver alerts to PagerDuty, Opsgenie, Slack and webhooks.",
            "A destination is on when its secret is set: VIGIL_PAGERDUTY_ROUTING_KEY, VIGIL_OPSGENIE_API_KEY, "
                    + "VIGIL_SLACK_WEBHOOK_URL, or --webhook-url with VIGIL_WEBHOOK_SECRET (or the --...-file options)."})
public final class RouteAlertsCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--group-id", defaultValue = "vigil-alert-router", description = "Consumer group.")
    String groupId;

    @Option(names = "--alerts-topic", defaultValue = Topics.ALERTS, description = "Topic of safety alerts.")
    String alertsTopic;

    @Option(names = "--dlq-topic", defaultValue = Topics.ALERTS_DLQ, description = "Where undeliverable alerts go.")
    String dlqTopic;

    @Option(names = "--pagerduty-url", description = "PagerDuty Events API v2 endpoint.")
    URI pagerDutyUrl = PagerDutyDestination.DEFAULT_ENDPOINT;

    @Option(names = "--pagerduty-routing-key-file", description = "File holding the routing key.")
    Path pagerDutyKeyFile;

    @Option(names = "--pagerduty-min-severity", defaultValue = "CRITICAL",
            description = "Lowest severity paged (INFO, WARNING, CRITICAL).")
    Severity pagerDutyMinSeverity;

    @Option(names = "--opsgenie-url", description = "Opsgenie Alert API endpoint.")
    URI opsgenieUrl = OpsgenieDestination.DEFAULT_ENDPOINT;

    @Option(names = "--opsgenie-api-key-file", description = "File holding the Opsgenie API key.")
    Path opsgenieKeyFile;

    @Option(names = "--opsgenie-min-severity", defaultValue = "WARNING", description = "Lowest severity sent.")
    Severity opsgenieMinSeverity;

    @Option(names = "--slack-webhook-url-file", description = "File holding the Slack incoming webhook URL.")
    Path slackUrlFile;

    @Option(names = "--slack-min-severity", defaultValue = "WARNING", description = "Lowest severity posted.")
    Severity slackMinSeverity;

    @Option(names = "--webhook-url", description = "Generic webhook receiving signed JSON alerts.")
    URI webhookUrl;

    @Option(names = "--webhook-secret-file", description = "File holding the webhook HMAC secret.")
    Path webhookSecretFile;

    @Option(names = "--webhook-min-severity", defaultValue = "INFO", description = "Lowest severity sent.")
    Severity webhookMinSeverity;

    @Option(names = "--max-attempts", defaultValue = "8", description = "Attempts per alert and destination.")
    int maxAttempts;

    @Option(names = "--initial-backoff", defaultValue = "500ms", converter = DurationConverter.class,
            description = "First retry delay (default: ${DEFAULT-VALUE}).")
    Duration initialBackoff;

    @Option(names = "--max-backoff", defaultValue = "60s", converter = DurationConverter.class,
            description = "Longest retry delay (default: ${DEFAULT-VALUE}).")
    Duration maxBackoff;

    @Option(names = "--request-timeout", defaultValue = "10s", converter = DurationConverter.class,
            description = "Timeout of one request (default: ${DEFAULT-VALUE}).")
    Duration requestTimeout;

    @Option(names = "--rate-per-second", defaultValue = "2",
            description = "Most requests per second to any one destination (Slack is held to 1).")
    double ratePerSecond;

    @Option(names = "--http-host", defaultValue = "0.0.0.0", description = "Address of /metrics and /health.")
    String httpHost;

    @Option(names = "--http-port", defaultValue = "8082", description = "Port of /metrics and /health (0: none).")
    int httpPort;

    static final int MAX_REGISTRY_BACKOFF_SECONDS = 30;

    private final Map<String, String> env;
    private volatile AlertRouterLoop running;

    public RouteAlertsCommand() {
        this(System.getenv());
    }

    /** With the secrets and {@code KAFKA_*} settings of {@code env} instead of the process's (tests, embedding). */
    public RouteAlertsCommand(final Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        final List<Destination> destinations = destinations();
        if (destinations.isEmpty()) {
            System.err.println("route-alerts: no destination configured; set VIGIL_PAGERDUTY_ROUTING_KEY, "
                    + "VIGIL_OPSGENIE_API_KEY, VIGIL_SLACK_WEBHOOK_URL or --webhook-url with VIGIL_WEBHOOK_SECRET");
            return 2;
        }
        final EmbeddedStackFile.Stack stack = connection().resolve();
        final Map<String, Object> kafka = kafkaConfig(stack);
        try (VigilMetrics metrics = VigilMetrics.create()) {
            final AlertDeliverer deliverer = new AlertDeliverer(
                    new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, requestTimeout, Duration.ofMinutes(5)),
                    metrics.safety());
            final AlertRouter router = new AlertRouter(destinations, deliverer, metrics.safety());
            final SchemaRegistryClient registry = registry(stack);
            metrics.bindSchemaRegistry(registry.status());
            final VigilSerdes serdes = VigilSerdes.registry(registry);
            final AlertRouterLoop loop = new AlertRouterLoop(kafka, groupId, alertsTopic, dlqTopic,
                    serdes.value(SafetyAlert.class).deserializer(), router, metrics.safety(), registryBackoff());
            // The registry is reported DOWN while it fails requests or while an alert waits for it
            // (an answer that is no answer, such as a redirect, leaves its status up).
            final VigilHttpServer http = httpPort == 0 ? null : VigilHttpServer.start(httpHost, httpPort,
                    metrics::scrape,
                    () -> loop.isRunning() ? KafkaStreams.State.RUNNING : KafkaStreams.State.NOT_RUNNING,
                    new RecentAlerts(), new CurrentAggregates(),
                    () -> registry.status().up() && !loop.waitingForRegistry());
            running = loop;
            final CountDownLatch done = new CountDownLatch(1);
            final Thread worker = new Thread(() -> {
                loop.run();
                done.countDown();
            }, "vigil-alert-router");
            Runtime.getRuntime().addShutdownHook(new Thread(loop::close, "vigil-alert-router-shutdown"));
            worker.start();
            done.await();
            if (http != null) {
                http.close();
            }
            return loop.failed() ? 1 : 0;
        }
    }

    /**
     * The wait before an alert the registry kept from being read is read again: the delivery
     * backoff, capped at {@value #MAX_REGISTRY_BACKOFF_SECONDS} s so an alert goes out soon after
     * the registry is back.
     */
    RetryPolicy registryBackoff() {
        final Duration cap = maxBackoff.compareTo(Duration.ofSeconds(MAX_REGISTRY_BACKOFF_SECONDS)) > 0
                ? Duration.ofSeconds(MAX_REGISTRY_BACKOFF_SECONDS) : maxBackoff;
        return new RetryPolicy(1, initialBackoff, cap, requestTimeout, cap);
    }

    /** Stops a running {@link #call()} the way the shutdown hook does (for tests and embedding). */
    public void stop() {
        final AlertRouterLoop loop = running;
        if (loop != null) {
            loop.close();
        }
    }

    List<Destination> destinations() throws IOException {
        final List<Destination> out = new ArrayList<>();
        final String pdKey = secret("VIGIL_PAGERDUTY_ROUTING_KEY", pagerDutyKeyFile);
        if (pdKey != null) {
            out.add(new PagerDutyDestination(pagerDutyUrl, pdKey, pagerDutyMinSeverity, ratePerSecond));
        }
        final String ogKey = secret("VIGIL_OPSGENIE_API_KEY", opsgenieKeyFile);
        if (ogKey != null) {
            out.add(new OpsgenieDestination(opsgenieUrl, ogKey, opsgenieMinSeverity, ratePerSecond));
        }
        final String slack = secret("VIGIL_SLACK_WEBHOOK_URL", slackUrlFile);
        if (slack != null) {
            // Slack allows about one message per second per webhook.
            out.add(new SlackDestination(URI.create(slack), slackMinSeverity, Math.min(1.0, ratePerSecond)));
        }
        if (webhookUrl != null) {
            final String secret = secret("VIGIL_WEBHOOK_SECRET", webhookSecretFile);
            if (secret == null) {
                throw new IllegalArgumentException("--webhook-url needs VIGIL_WEBHOOK_SECRET or --webhook-secret-file");
            }
            out.add(new WebhookDestination(webhookUrl, secret, webhookMinSeverity, ratePerSecond));
        }
        return out;
    }

    private String secret(final String variable, final Path file) throws IOException {
        if (file != null) {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        final String value = env.get(variable);
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** The consumer's and DLQ producer's settings: the same as every other job's for {@code stack}. */
    Map<String, Object> kafkaConfig(final EmbeddedStackFile.Stack stack) {
        final Map<String, Object> config = new HashMap<>();
        connection().clientProperties(stack).forEach((k, v) -> config.put(String.valueOf(k), v));
        return config;
    }

    /** The registry client, with the auth and TLS settings every job reads. */
    SchemaRegistryClient registry(final EmbeddedStackFile.Stack stack) {
        return connection().registry(stack);
    }

    /** The shared connection options, reading {@code KAFKA_*} from this command's environment. */
    private ConnectionOptions connection() {
        connection.env = env;
        return connection;
    }
}
