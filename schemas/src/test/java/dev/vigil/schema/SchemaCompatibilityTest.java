package dev.vigil.schema;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards the schemas' compatibility with the last released copy in {@code schemas/released/}:
 * consumers deployed with the new schemas must read data already in the topics (backward), and
 * consumers still on the released schemas must read data the new version writes (forward), so
 * producers and consumers can be upgraded in any order. A change that breaks either fails the
 * build. Allowed changes: add a field with a default, add an enum symbol (every enum has a
 * default). After a release, copy {@code src/main/avro} over {@code released/}.
 */
class SchemaCompatibilityTest {
    private static final Path CURRENT = Path.of(System.getProperty("vigil.schemas.dir", "src/main/avro"));
    private static final Path RELEASED = Path.of(System.getProperty("vigil.released.dir", "released"));

    @TestFactory
    Stream<DynamicTest> shouldLetNewReadersReadReleasedData() {
        final Map<String, Schema> current = parseAll(CURRENT);
        return parseAll(RELEASED).entrySet().stream().map(released -> DynamicTest.dynamicTest(released.getKey(), () -> {
            final Schema now = current.get(released.getKey());
            assertTrue(now != null, released.getKey() + " was released but is gone: readers of its topic would break");
            assertEquals(List.of(), incompatibilities(now, released.getValue()),
                    "new " + released.getKey() + " cannot read data written with the released schema");
        }));
    }

    @TestFactory
    Stream<DynamicTest> shouldLetReleasedReadersReadNewData() {
        final Map<String, Schema> released = parseAll(RELEASED);
        return parseAll(CURRENT).entrySet().stream()
                .filter(current -> released.containsKey(current.getKey()))
                .map(current -> DynamicTest.dynamicTest(current.getKey(), () ->
                        assertEquals(List.of(), incompatibilities(released.get(current.getKey()), current.getValue()),
                                "released " + current.getKey() + " cannot read data written with the new schema")));
    }

    @Test
    void shouldCheckEveryRecordOfTheDataFlow() {
        assertTrue(parseAll(CURRENT).keySet().containsAll(List.of("ConversationEvent", "MessageSignals",
                "ConversationSummary", "WindowAggregate", "SafetyAlert", "ConversationState", "Role")));
    }

    @Test
    void shouldCatchAFieldAddedWithoutADefault() {
        final Schema released = MessageSignals.getClassSchema();
        final Schema changed = withExtraField(released, "{\"name\":\"proposed_score\",\"type\":\"double\"}");
        final List<String> problems = incompatibilities(changed, released);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains(SchemaIncompatibilityType.READER_FIELD_MISSING_DEFAULT_VALUE.name()), problems.get(0));
    }

    @Test
    void shouldCatchARemovedEnumSymbolAndAChangedFieldType() {
        final Schema released = ConversationEvent.getClassSchema();
        final ObjectNode json = json(released);
        final ArrayNode fields = (ArrayNode) json.get("fields");
        ((ObjectNode) fields.get(3)).put("type", "string");                 // turn: int -> string
        final ArrayNode roles = (ArrayNode) fields.get(4).get("type").get("symbols");
        roles.remove(1);                                                       // ASSISTANT gone
        final Schema changed = new Schema.Parser().parse(json.toString());
        assertFalse(incompatibilities(changed, released).isEmpty(), "new reader, released data");
        assertFalse(incompatibilities(released, changed).isEmpty(), "released reader, new data");
    }

    @Test
    void shouldAcceptAFieldAddedWithADefaultInBothDirections() {
        final Schema released = MessageSignals.getClassSchema();
        final Schema changed = withExtraField(released,
                "{\"name\":\"proposed_score\",\"type\":[\"null\",\"double\"],\"default\":null}");
        assertEquals(List.of(), incompatibilities(changed, released));
        assertEquals(List.of(), incompatibilities(released, changed));
    }

    /** Why {@code reader} cannot read data written with {@code writer}; empty when it can. */
    static List<String> incompatibilities(final Schema reader, final Schema writer) {
        final SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        return result.getResult().getIncompatibilities().stream()
                .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
                .toList();
    }

    /**
     * Every named schema in {@code dir}, by simple name. One parser that has read the enums
     * first, because each record file refers to the enums in {@code enums/} by name.
     */
    static Map<String, Schema> parseAll(final Path dir) {
        final Schema.Parser parser = new Schema.Parser();
        final Map<String, Schema> byName = new TreeMap<>();
        for (final Path file : files(dir.resolve("enums"))) {
            final Schema schema = parse(parser, file);
            byName.put(schema.getName(), schema);
        }
        for (final Path file : files(dir)) {
            final Schema schema = parse(parser, file);
            byName.put(schema.getName(), schema);
        }
        assertFalse(byName.isEmpty(), "no .avsc files in " + dir.toAbsolutePath());
        return byName;
    }

    private static Schema parse(final Schema.Parser parser, final Path file) {
        try {
            return parser.parse(file.toFile());
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static List<Path> files(final Path dir) {
        try (Stream<Path> listing = Files.list(dir)) {
            return new ArrayList<>(listing.filter(p -> p.toString().endsWith(".avsc")).sorted().toList());
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot list " + dir.toAbsolutePath(), e);
        }
    }

    private static Schema withExtraField(final Schema schema, final String field) {
        final ObjectNode json = json(schema);
        try {
            ((ArrayNode) json.get("fields")).add(new ObjectMapper().readTree(field));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Schema.Parser().parse(json.toString());
    }

    private static ObjectNode json(final Schema schema) {
        try {
            return (ObjectNode) new ObjectMapper().readTree(schema.toString());
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
