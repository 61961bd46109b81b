package dev.vigil.serde;

import org.apache.avro.Schema;

/**
 * The part of a Confluent-compatible schema registry that Vigil's serdes need. Implementations
 * cache: a schema is registered once per subject and looked up once per id.
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
    int register(String subject, Schema schema);

    /** The schema with global id {@code id}. */
    Schema schemaById(int id);

    /** Whether the registry is answering, for health and metrics; in-memory registries always are. */
    default SchemaRegistryStatus status() {
        return SchemaRegistryStatus.IN_PROCESS;
    }

    @Override
    default void close() {
    }
}
