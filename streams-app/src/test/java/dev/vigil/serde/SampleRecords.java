package dev.vigil.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.ConversationState;
import dev.vigil.schema.ConversationSummary;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.WindowAggregate;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test data: one fully populated record of each Vigil record type, every optional field set, so
 * a serde round trip exercises every union branch, enum, map, array and timestamp in the schemas.
 * Values differ per field (derived from the field position) so a swapped field shows.
 */
final class SampleRecords {
    static final List<Class<? extends SpecificRecord>> TYPES = List.of(ConversationEvent.class,
            MessageSignals.class, ConversationSummary.class, WindowAggregate.class, SafetyAlert.class,
            ConversationState.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant BASE = Instant.parse("2026-03-01T12:00:00.123Z");

    private SampleRecords() {
    }

    /** A record of {@code type} with every field set to a non-default value. */
    static <T extends SpecificRecord> T populated(final Class<T> type) {
        final Schema schema = SpecificData.get().getSchema(type);
        @SuppressWarnings("unchecked")
        final T record = (T) SpecificData.get().newRecord(null, schema);
        for (final Schema.Field field : schema.getFields()) {
            record.put(field.pos(), valueFor(field.schema(), field.name(), field.pos() + 1));
        }
        return record;
    }

    private static Object valueFor(final Schema schema, final String name, final int seed) {
        if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
            return BASE.plusSeconds(seed * 37L);
        }
        return switch (schema.getType()) {
            case UNION -> valueFor(schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL)
                    .findFirst().orElseThrow(), name, seed);
            case STRING -> name + "-" + seed + "-é";
            case INT -> seed * 3;
            case LONG -> seed * 1_000_000_007L;
            case DOUBLE -> seed / 8.0 - 0.5;
            case BOOLEAN -> seed % 2 == 0;
            case ENUM -> SpecificData.get().createEnum(
                    schema.getEnumSymbols().get(seed % schema.getEnumSymbols().size()), schema);
            case ARRAY -> new ArrayList<>(List.of(valueFor(schema.getElementType(), name, seed),
                    valueFor(schema.getElementType(), name, seed + 1)));
            case MAP -> new LinkedHashMap<>(Map.of("first", valueFor(schema.getValueType(), name, seed),
                    "second", valueFor(schema.getValueType(), name, seed + 1)));
            default -> throw new IllegalArgumentException("no sample for " + schema.getType() + " field " + name);
        };
    }

    /**
     * The record as plain JSON (timestamps as epoch millis, enums as symbols), the neutral form
     * in which Java and Confluent's Python client compare what they decoded.
     */
    static JsonNode toJson(final SpecificRecord record) {
        final Map<String, Object> fields = new LinkedHashMap<>();
        for (final Schema.Field field : record.getSchema().getFields()) {
            fields.put(field.name(), plain(record.get(field.pos())));
        }
        // Through text, so integer widths (Integer vs Long) compare as the numbers they are.
        try {
            return JSON.readTree(JSON.writeValueAsString(fields));
        } catch (final java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object plain(final Object value) {
        if (value instanceof Instant instant) {
            return instant.toEpochMilli();
        }
        if (value instanceof Enum<?> symbol) {
            return symbol.name();
        }
        if (value instanceof CharSequence text) {
            return text.toString();
        }
        if (value instanceof Map<?, ?> map) {
            final Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(k.toString(), plain(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(SampleRecords::plain).toList();
        }
        return value;
    }
}
