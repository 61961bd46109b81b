package dev.vigil.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * Avro records as plain JSON for people: unions unwrapped, enums as lower-case labels, timestamps
 * as ISO-8601 (Avro's own JSON encoding wraps every optional field in a type name). Every JSON line
 * Vigil prints for people ({@code vigil tail}, {@code vigil classify}) spells enum values the
 * same way, through {@link #symbol}.
 */
public final class AvroJson {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private AvroJson() {
    }

    /**
     * An enum value as Vigil's JSON output spells it: {@code ACTIVE_IDEATION} becomes
     * {@code active_ideation}, the form of the labelled data's labels.
     */
    public static String symbol(final Enum<?> value) {
        return value == null ? null : value.name().toLowerCase(Locale.ROOT);
    }

    public static JsonNode toJson(final Object value) {
        if (value == null) {
            return F.nullNode();
        }
        if (value instanceof IndexedRecord r) {
            final ObjectNode o = F.objectNode();
            for (final Schema.Field f : r.getSchema().getFields()) {
                o.set(f.name(), toJson(r.get(f.pos())));
            }
            return o;
        }
        if (value instanceof Instant i) {
            return F.textNode(i.toString());
        }
        if (value instanceof Enum<?> e) {
            return F.textNode(symbol(e));
        }
        if (value instanceof GenericEnumSymbol<?> g) {
            return F.textNode(g.toString().toLowerCase(Locale.ROOT));
        }
        if (value instanceof GenericContainer g) {
            return F.textNode(g.toString());
        }
        if (value instanceof CharSequence s) {
            return F.textNode(s.toString());
        }
        if (value instanceof Boolean b) {
            return F.booleanNode(b);
        }
        if (value instanceof Integer n) {
            return F.numberNode(n);
        }
        if (value instanceof Long n) {
            return F.numberNode(n);
        }
        if (value instanceof Double n) {
            return F.numberNode(n);
        }
        if (value instanceof Float n) {
            return F.numberNode(n);
        }
        if (value instanceof ByteBuffer b) {
            final byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            return F.binaryNode(bytes);
        }
        if (value instanceof Map<?, ?> m) {
            final ObjectNode o = F.objectNode();
            m.forEach((k, v) -> o.set(String.valueOf(k), toJson(v)));
            return o;
        }
        if (value instanceof Collection<?> c) {
            final ArrayNode a = F.arrayNode();
            c.forEach(v -> a.add(toJson(v)));
            return a;
        }
        return F.textNode(String.valueOf(value));
    }
}
