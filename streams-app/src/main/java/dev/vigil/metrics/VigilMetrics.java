package dev.vigil.metrics;

import dev.vigil.serde.SchemaRegistryStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;

import java.util.ArrayList;
import java.util.List;

/**
 * The process's one Prometheus registry: Vigil's domain metrics ({@link SafetyMetrics}), JVM and
 * process metrics, and the Kafka Streams client metrics through Micrometer's
 * {@link KafkaStreamsMetrics} binder. {@link #scrape()} is what {@code /metrics} serves.
 *
 * <p>Close it on shutdown: the GC and Kafka binders hold listeners and a scheduler.
 */
public final class VigilMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry;
    private final SafetyMetrics safety;
    private final List<AutoCloseable> binders = new ArrayList<>();

    private VigilMetrics(final PrometheusMeterRegistry registry) {
        this.registry = registry;
        this.safety = new SafetyMetrics(registry);
    }

    /** A registry with the JVM and process metrics bound, ready for {@link #bindKafkaStreams}. */
    public static VigilMetrics create() {
        final VigilMetrics metrics = new VigilMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        metrics.bindJvm();
        return metrics;
    }

    private void bindJvm() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        final JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        binders.add(gc);
    }

    /**
     * Exposes a Kafka Streams client's own metrics (thread state, process rate, consumer lag,
     * restore progress, ...) as {@code kafka_stream_*}, {@code kafka_consumer_*} and so on. Call it
     * once per {@link KafkaStreams} instance, before or after {@code start()}.
     */
    public KafkaStreamsMetrics bindKafkaStreams(final KafkaStreams streams) {
        final KafkaStreamsMetrics binder = new KafkaStreamsMetrics(streams);
        binder.bindTo(registry);
        binders.add(binder);
        return binder;
    }

    /**
     * Exposes whether the schema registry answers ({@code vigil_schema_registry_up}) and how many
     * requests it failed ({@code vigil_schema_registry_errors_total}). During an outage records
     * with an uncached schema id wait rather than go to the dead-letter topic, so this is what
     * explains the lag.
     */
    public void bindSchemaRegistry(final SchemaRegistryStatus status) {
        Gauge.builder(SafetyMetrics.SCHEMA_REGISTRY_UP, status, s -> s.up() ? 1 : 0)
                .description("1 when the schema registry answered the last request, 0 after a failed one")
                .register(registry);
        FunctionCounter.builder(SafetyMetrics.SCHEMA_REGISTRY_ERRORS, status, SchemaRegistryStatus::errors)
                .description("Schema registry requests that failed because it was unavailable")
                .register(registry);
    }

    /**
     * The sentence encoder's CPU time and inputs (the semantic crisis tier's escalations), read
     * from the classifier's running totals when scraped.
     */
    public void bindCrisisEncoder(final java.util.function.LongSupplier encoderNanos,
                                  final java.util.function.LongSupplier encoderInputs) {
        FunctionCounter.builder(SafetyMetrics.CRISIS_ENCODER_SECONDS, encoderNanos, s -> s.getAsLong() / 1e9)
                .description("CPU time the sentence encoder spent grading escalated messages")
                .register(registry);
        FunctionCounter.builder(SafetyMetrics.CRISIS_ENCODER_INPUTS, encoderInputs, s -> (double) s.getAsLong())
                .description("Sentence-encoder inputs (a long message may be several chunks)")
                .register(registry);
    }

    public SafetyMetrics safety() {
        return safety;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        for (final AutoCloseable binder : binders) {
            try {
                binder.close();
            } catch (final Exception e) {
                // Shutting down: a binder that fails to close must not stop the others.
            }
        }
        registry.close();
    }
}
