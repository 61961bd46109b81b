package dev.vigil.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.SafetyAlert;
import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The embedded registry answers the Confluent REST API the way Vigil's client and Confluent's
 * clients expect: ids shared between independent clients, versions, compatibility and errors.
 */
class EmbeddedSchemaRegistryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String V1 = "{\"type\":\"record\",\"name\":\"Reading\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}";
    private static final String V2_WITH_DEFAULT = "{\"type\":\"record\",\"name\":\"Reading\",\"fields\":["
            + "{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"int\",\"default\":0}]}";
    private static final String V2_WITHOUT_DEFAULT = "{\"type\":\"record\",\"name\":\"Reading\",\"fields\":["
            + "{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"int\"}]}";

    private EmbeddedSchemaRegistry registry;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private record Reply(int status, JsonNode body) {
    }

    private Reply call(final String method, final String path, final String body) throws IOException, InterruptedException {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(registry.url() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json").build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), JSON.readTree(response.body()));
    }

    private static String schemaBody(final String schema) {
        return JSON.createObjectNode().put("schema", schema).toString();
    }

    @Test
    void shouldKeepIdsAndCompatibilityAcrossARestartWithAJournal(@TempDir final Path dir) throws Exception {
        // The embedded broker keeps its topics across restarts of `vigil run`; records written
        // before the restart must still decode, so the ids must mean the same schemas after it.
        final Path journal = dir.resolve("schemas.jsonl");
        final int readingId;
        final int signalsId;
        final byte[] written;
        try (EmbeddedSchemaRegistry first = EmbeddedSchemaRegistry.start("127.0.0.1", 0, journal)) {
            final SchemaRegistryClient client = SchemaRegistries.forUrl(first.url(), Map.of());
            readingId = client.register("readings-value", new Schema.Parser().parse(V1));
            signalsId = client.register("message-signals-value", MessageSignals.getClassSchema());
            written = VigilSerdes.registry(client).value(MessageSignals.class).serializer()
                    .serialize("message-signals", SampleRecords.populated(MessageSignals.class));
        }
        try (EmbeddedSchemaRegistry second = EmbeddedSchemaRegistry.start("127.0.0.1", 0, journal)) {
            final SchemaRegistryClient client = SchemaRegistries.forUrl(second.url(), Map.of());
            // A schema registered in the new life gets a new id, not one of the old ones.
            final int alertId = client.register("safety.alerts-value", SafetyAlert.getClassSchema());
            assertNotEquals(readingId, alertId);
            assertNotEquals(signalsId, alertId);
            assertEquals(signalsId, client.register("message-signals-value", MessageSignals.getClassSchema()));
            assertEquals(SampleRecords.populated(MessageSignals.class), VigilSerdes.registry(client)
                    .value(MessageSignals.class).deserializer().deserialize("message-signals", written));
            // The BACKWARD check still sees the versions registered before the restart.
            final SchemaRegistryException refused = assertThrows(SchemaRegistryException.class,
                    () -> client.register("readings-value", new Schema.Parser().parse(V2_WITHOUT_DEFAULT)));
            assertEquals(409, refused.status());
        }
    }

    @Test
    void shouldShareIdsBetweenIndependentClientsSoOneProcessReadsWhatAnotherWrote() {
        // Two clients with separate caches stand for `vigil produce` and `vigil tail`.
        final SchemaRegistryClient producer = SchemaRegistries.forUrl(registry.url(), Map.of());
        final SchemaRegistryClient tail = SchemaRegistries.forUrl(registry.url(), Map.of());
        final Serde<MessageSignals> writing = VigilSerdes.registry(producer).value(MessageSignals.class);
        final Serde<MessageSignals> reading = VigilSerdes.registry(tail).value(MessageSignals.class);
        final MessageSignals record = SampleRecords.populated(MessageSignals.class);

        final byte[] bytes = writing.serializer().serialize("message-signals", record);

        assertEquals(record, reading.deserializer().deserialize("message-signals", bytes));
        assertEquals(producer.register("message-signals-value", MessageSignals.getClassSchema()),
                tail.register("message-signals-value", MessageSignals.getClassSchema()));
    }

    @Test
    void shouldGiveOneSchemaOneIdAcrossSubjectsAndNewIdsToNewSchemas() {
        final SchemaRegistryClient client = SchemaRegistries.forUrl(registry.url(), Map.of());
        final int signals = client.register("a-value", MessageSignals.getClassSchema());
        assertEquals(signals, client.register("b-value", MessageSignals.getClassSchema()));
        assertNotEquals(signals, client.register("c-value", SafetyAlert.getClassSchema()));
    }

    @Test
    void shouldListSubjectsVersionsAndLookUpASchemaUnderASubject() throws Exception {
        final int v1 = call("POST", "/subjects/readings-value/versions", schemaBody(V1)).body.get("id").asInt();
        assertEquals(v1, call("POST", "/subjects/readings-value/versions", schemaBody(V1)).body.get("id").asInt(),
                "registering the same schema again is idempotent");
        final int v2 = call("POST", "/subjects/readings-value/versions", schemaBody(V2_WITH_DEFAULT)).body.get("id").asInt();

        assertEquals("[\"readings-value\"]", call("GET", "/subjects", null).body.toString());
        assertEquals("[1,2]", call("GET", "/subjects/readings-value/versions", null).body.toString());
        final Reply latest = call("GET", "/subjects/readings-value/versions/latest", null);
        assertEquals(2, latest.body.get("version").asInt());
        assertEquals(v2, latest.body.get("id").asInt());
        assertEquals(new Schema.Parser().parse(V2_WITH_DEFAULT), new Schema.Parser().parse(latest.body.get("schema").asText()));
        assertEquals(v1, call("GET", "/subjects/readings-value/versions/1", null).body.get("id").asInt());

        final Reply lookup = call("POST", "/subjects/readings-value", schemaBody(V1));
        assertEquals(200, lookup.status);
        assertEquals(1, lookup.body.get("version").asInt());
        assertEquals(v1, lookup.body.get("id").asInt());
        assertEquals(new Schema.Parser().parse(V1),
                new Schema.Parser().parse(call("GET", "/schemas/ids/" + v1, null).body.get("schema").asText()));
    }

    @Test
    void shouldRefuseAnIncompatibleChangeUnderTheDefaultBackwardRule() throws Exception {
        assertEquals("BACKWARD", call("GET", "/config", null).body.get("compatibilityLevel").asText());
        call("POST", "/subjects/readings-value/versions", schemaBody(V1));

        final SchemaRegistryClient client = SchemaRegistries.forUrl(registry.url(), Map.of());
        final SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
                () -> client.register("readings-value", new Schema.Parser().parse(V2_WITHOUT_DEFAULT)));
        assertEquals(409, e.status());
        assertEquals(409, e.errorCode());
        assertEquals("[1]", call("GET", "/subjects/readings-value/versions", null).body.toString(), "nothing registered");
    }

    @Test
    void shouldFollowSubjectAndGlobalCompatibilityConfig() throws Exception {
        call("POST", "/subjects/readings-value/versions", schemaBody(V1));
        assertEquals(404, call("GET", "/config/readings-value", null).status);
        assertEquals(40408, call("GET", "/config/readings-value", null).body.get("error_code").asInt());
        assertEquals("BACKWARD", call("GET", "/config/readings-value?defaultToGlobal=true", null)
                .body.get("compatibilityLevel").asText());

        assertEquals("NONE", call("PUT", "/config/readings-value", "{\"compatibility\":\"NONE\"}").body.get("compatibility").asText());
        assertEquals(200, call("POST", "/subjects/readings-value/versions", schemaBody(V2_WITHOUT_DEFAULT)).status,
                "NONE lets any change through");

        call("PUT", "/config", "{\"compatibility\":\"FORWARD\"}");
        assertEquals("FORWARD", call("GET", "/config", null).body.get("compatibilityLevel").asText());
        // FORWARD: readers of the previous schema must read data written with the new one.
        call("POST", "/subjects/other-value/versions", schemaBody(V1));
        assertEquals(200, call("POST", "/subjects/other-value/versions", schemaBody(V2_WITHOUT_DEFAULT)).status,
                "old readers of (a) ignore the new field b");
        call("POST", "/subjects/third-value/versions", schemaBody(V2_WITHOUT_DEFAULT));
        assertEquals(409, call("POST", "/subjects/third-value/versions", schemaBody(V1)).status,
                "old readers of (a, b) cannot fill b from data without it");
    }

    @Test
    void shouldAnswerConfluentErrorCodes() throws Exception {
        final Reply invalid = call("POST", "/subjects/x-value/versions", schemaBody("{\"type\":\"recor"));
        assertEquals(422, invalid.status);
        assertEquals(42201, invalid.body.get("error_code").asInt());
        final Reply unknownType = call("POST", "/subjects/x-value/versions", schemaBody(
                "{\"type\":\"record\",\"name\":\"X\",\"fields\":[{\"name\":\"a\",\"type\":\"nosuch\"}]}"));
        assertEquals(422, unknownType.status);

        final Reply noSchema = call("GET", "/schemas/ids/99", null);
        assertEquals(404, noSchema.status);
        assertEquals(40403, noSchema.body.get("error_code").asInt());
        final Reply noSubject = call("GET", "/subjects/missing-value/versions", null);
        assertEquals(404, noSubject.status);
        assertEquals(40401, noSubject.body.get("error_code").asInt());
        call("POST", "/subjects/x-value/versions", schemaBody(V1));
        assertEquals(40402, call("GET", "/subjects/x-value/versions/7", null).body.get("error_code").asInt());
        assertEquals(40403, call("POST", "/subjects/x-value", schemaBody(V2_WITH_DEFAULT)).body.get("error_code").asInt());
        assertEquals(42203, call("PUT", "/config", "{\"compatibility\":\"SOMETIMES\"}").body.get("error_code").asInt());
        assertEquals(404, call("GET", "/no/such/path", null).status);
    }
}
