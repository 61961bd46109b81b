package dev.vigil.serde;

import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A registry that lives in this JVM: {@code mock://name} URLs share one instance per name, so a
 * topology and the test that reads its output agree on ids without any server.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {
    private static final Map<String, InMemorySchemaRegistry> NAMED = new ConcurrentHashMap<>();

    private final Map<String, Integer> idsBySchema = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, Map<String, Integer>> subjects = new HashMap<>();

    /** The shared registry behind {@code mock://name}. */
    public static InMemorySchemaRegistry named(final String name) {
        return NAMED.computeIfAbsent(name, n -> new InMemorySchemaRegistry());
    }

    /** Forgets the registry behind {@code mock://name} (tests call this between cases). */
    public static void drop(final String name) {
        NAMED.remove(name);
    }

    @Override
    public synchronized int register(final String subject, final Schema schema) {
        // Ids are global and keyed by the schema's canonical form, as in Confluent's registry:
        // the same schema under two subjects has one id.
        final String canonical = schema.toString();
        final int id = idsBySchema.computeIfAbsent(canonical, s -> {
            final int next = schemasById.size() + 1;
            schemasById.put(next, schema);
            return next;
        });
        subjects.computeIfAbsent(subject, s -> new HashMap<>()).put(canonical, id);
        return id;
    }

    @Override
    public synchronized Schema schemaById(final int id) {
        final Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new SerializationException("schema id " + id + " is not known to the in-memory registry");
        }
        return schema;
    }
}
