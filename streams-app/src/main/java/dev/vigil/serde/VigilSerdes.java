package dev.vigil.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * The one place serdes come from. The application uses registry-framed Avro (Confluent wire
 * format); topology tests use plain Avro binary and need no registry. Stages take a
 * {@code VigilSerdes} and never build serdes themselves.
 */
public interface VigilSerdes {

    /** A value serde for records of {@code type}. */
    <T extends SpecificRecord> Serde<T> value(Class<T> type);

    /** Plain Avro binary, no framing and no registry: for {@code TopologyTestDriver} tests. */
    static VigilSerdes plainAvro() {
        return PlainAvroSerde::new;
    }

    /** Confluent wire format against {@code registry}: what the application and its topics use. */
    static VigilSerdes registry(final SchemaRegistryClient registry) {
        return new VigilSerdes() {
            @Override
            public <T extends SpecificRecord> Serde<T> value(final Class<T> type) {
                return new ConfluentAvroSerde<>(registry, type);
            }
        };
    }
}
