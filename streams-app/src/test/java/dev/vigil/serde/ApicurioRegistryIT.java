package dev.vigil.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.schema.MessageSignals;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Vigil's registry client and serde against a real registry: Apicurio Registry 2.4.2 serving the
 * Confluent API, started from the jar {@code deploy/apicurio/build.sh} builds.
 */
class ApicurioRegistryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String V1 = "{\"type\":\"record\",\"name\":\"Reading\",\"namespace\":\"it\",\"fields\":"
            + "[{\"name\":\"a\",\"type\":\"string\"}]}";
    private static final String V2_WITH_DEFAULT = "{\"type\":\"record\",\"name\":\"Reading\",\"namespace\":\"it\",\"fields\":"
            + "[{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"int\",\"default\":0}]}";
    private static final String V2_WITHOUT_DEFAULT = "{\"type\":\"record\",\"name\":\"Reading\",\"namespace\":\"it\",\"fields\":"
            + "[{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"int\"}]}";

    private static ApicurioProcess apicurio;

    @BeforeAll
    static void startRegistry() throws Exception {
        apicurio = ApicurioProcess.start();
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (apicurio != null) {
            apicurio.close();
            assertTrue(!apicurio.isAlive(), "the registry process is gone");
        }
    }

    private static HttpSchemaRegistryClient client() {
        return (HttpSchemaRegistryClient) SchemaRegistries.forUrl(apicurio.ccompatUrl(), Map.of());
    }

    @Test
    void shouldRegisterOnceAndResolveTheIdFromAnotherClient() {
        final HttpSchemaRegistryClient writer = client();
        final int id = writer.register("it-signals-value", MessageSignals.getClassSchema());
        assertEquals(id, writer.register("it-signals-value", MessageSignals.getClassSchema()));
        assertEquals(id, client().register("it-signals-value", MessageSignals.getClassSchema()),
                "registering the same schema again gives the same id");
        assertEquals(MessageSignals.getClassSchema(), client().schemaById(id), "a fresh client fetches it by id");
    }

    @Test
    void shouldRefuseAnIncompatibleChangeUnderBackwardAndAcceptACompatibleOne() {
        final HttpSchemaRegistryClient client = client();
        final int v1 = client.register("it-readings-value", new Schema.Parser().parse(V1));

        final SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
                () -> client.register("it-readings-value", new Schema.Parser().parse(V2_WITHOUT_DEFAULT)));
        assertEquals(409, e.status());
        assertTrue(e.getMessage().contains("only add fields with defaults"), e.getMessage());

        final int v2 = client.register("it-readings-value", new Schema.Parser().parse(V2_WITH_DEFAULT));
        assertNotEquals(v1, v2);
    }

    @Test
    void shouldMapAnInvalidSchemaAndUnknownIdsToClearErrors() {
        final HttpSchemaRegistryClient client = client();
        final SchemaRegistryException invalid = assertThrows(SchemaRegistryException.class,
                () -> client.register("it-invalid-value", "{\"type\":\"recor", "a broken schema"));
        assertEquals(422, invalid.status());
        assertEquals(42201, invalid.errorCode());

        final SchemaRegistryException unknown = assertThrows(SchemaRegistryException.class, () -> client.schemaById(987_654));
        assertEquals(404, unknown.status());
        assertEquals(40403, unknown.errorCode());
        assertTrue(unknown.getMessage().contains("registry the writer used"), unknown.getMessage());

        final String withoutCcompat = apicurio.ccompatUrl().replace("/apis/ccompat/v7", "");
        final SchemaRegistryException wrongUrl = assertThrows(SchemaRegistryException.class,
                () -> SchemaRegistries.forUrl(withoutCcompat, Map.of()).schemaById(1));
        assertEquals(404, wrongUrl.status());
        assertTrue(wrongUrl.getMessage().contains("/apis/ccompat/v7"), wrongUrl.getMessage());
    }

    @Test
    void shouldRoundTripEveryVigilRecordTypeThroughTheRegistry() throws Exception {
        for (final Class<? extends SpecificRecord> type : SampleRecords.TYPES) {
            assertRoundTrip(type);
        }
        final HttpResponse<String> subjects = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(apicurio.ccompatUrl() + "/subjects")).build(), HttpResponse.BodyHandlers.ofString());
        final JsonNode names = JSON.readTree(subjects.body());
        for (final Class<? extends SpecificRecord> type : SampleRecords.TYPES) {
            assertTrue(names.toString().contains("\"it-" + type.getSimpleName() + "-value\""), names.toString());
        }
    }

    private <T extends SpecificRecord> void assertRoundTrip(final Class<T> type) {
        final String topic = "it-" + type.getSimpleName();
        final T record = SampleRecords.populated(type);
        final byte[] bytes = VigilSerdes.registry(client()).value(type).serializer().serialize(topic, record);
        // A different client, as in another process: nothing cached, the id is resolved remotely.
        final Serde<T> reader = VigilSerdes.registry(client()).value(type);
        assertEquals(record, reader.deserializer().deserialize(topic, bytes), type.getSimpleName());
        assertEquals(type.getName(), client().schemaById(ByteBuffer.wrap(bytes, 1, 4).getInt()).getFullName());
    }
}
