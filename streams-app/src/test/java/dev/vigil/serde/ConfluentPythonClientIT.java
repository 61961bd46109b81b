package dev.vigil.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The wire format checked against Confluent's own client code: the legacy
 * {@code confluent_kafka.avro} serializer (Debian's python3-confluent-kafka and python3-avro)
 * decodes what Vigil writes, and Vigil decodes what it writes, through the same real registry.
 */
class ConfluentPythonClientIT {
    private static final String PYTHON = "/usr/bin/python3";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    private static ApicurioProcess apicurio;

    @BeforeAll
    static void startRegistry() throws Exception {
        final Path script = script();
        final Process probe = new ProcessBuilder(PYTHON, "-c",
                "import avro, requests; from confluent_kafka.avro.serializer.message_serializer import MessageSerializer")
                .redirectErrorStream(true).start();
        final String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!probe.waitFor(60, TimeUnit.SECONDS) || probe.exitValue() != 0) {
            fail("Confluent's Python client is not installed for " + PYTHON + " (" + output.strip()
                    + "): run deploy/ci/install-test-deps.sh");
        }
        assertTrue(Files.isRegularFile(script), script.toString());
        apicurio = ApicurioProcess.start();
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (apicurio != null) {
            apicurio.close();
        }
    }

    @Test
    void shouldLetConfluentsSerializerDecodeWhatVigilWrote() throws Exception {
        assertConfluentDecodesVigil(apicurio.ccompatUrl());
    }

    @Test
    void shouldDecodeWhatConfluentsSerializerWrote() throws Exception {
        assertVigilDecodesConfluent(apicurio.ccompatUrl());
    }

    @Test
    void shouldServeConfluentsClientFromTheEmbeddedRegistryToo() throws Exception {
        // What `vigil run` serves by default: other tools speaking Confluent's API can use it.
        try (EmbeddedSchemaRegistry embedded = EmbeddedSchemaRegistry.start("127.0.0.1", 0)) {
            assertConfluentDecodesVigil(embedded.url());
            assertVigilDecodesConfluent(embedded.url());
        }
    }

    private static void assertConfluentDecodesVigil(final String url) throws Exception {
        final List<JsonNode> expected = new ArrayList<>();
        final List<String> requests = new ArrayList<>();
        for (final Class<? extends SpecificRecord> type : SampleRecords.TYPES) {
            final SpecificRecord record = SampleRecords.populated(type);
            final byte[] bytes = vigilBytes(url, type, "py-decode-" + type.getSimpleName(), record);
            expected.add(SampleRecords.toJson(record));
            requests.add(JSON.createObjectNode().put("op", "decode").put("hex", HEX.formatHex(bytes)).toString());
        }

        final List<JsonNode> answers = python(url, requests);

        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), answers.get(i).get("record"), SampleRecords.TYPES.get(i).getSimpleName());
        }
    }

    private static void assertVigilDecodesConfluent(final String url) throws Exception {
        final List<SpecificRecord> expected = new ArrayList<>();
        final List<String> requests = new ArrayList<>();
        for (final Class<? extends SpecificRecord> type : SampleRecords.TYPES) {
            final String topic = "py-encode-" + type.getSimpleName();
            final SpecificRecord record = SampleRecords.populated(type);
            vigilBytes(url, type, topic, record); // registers the subject the Python side encodes with
            expected.add(record);
            requests.add(JSON.createObjectNode().put("op", "encode").put("topic", topic)
                    .set("record", SampleRecords.toJson(record)).toString());
        }

        final List<JsonNode> answers = python(url, requests);

        for (int i = 0; i < expected.size(); i++) {
            final Class<? extends SpecificRecord> type = SampleRecords.TYPES.get(i);
            final byte[] bytes = HEX.parseHex(answers.get(i).get("hex").asText());
            assertEquals(0, bytes[0], "magic byte written by Confluent's serializer");
            final Object decoded = VigilSerdes.registry(SchemaRegistries.forUrl(url, Map.of()))
                    .value(type).deserializer().deserialize("py-encode-" + type.getSimpleName(), bytes);
            assertEquals(expected.get(i), decoded, type.getSimpleName());
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> byte[] vigilBytes(final String url, final Class<T> type, final String topic,
                                                                 final SpecificRecord record) {
        final SchemaRegistryClient client = SchemaRegistries.forUrl(url, Map.of());
        return VigilSerdes.registry(client).value(type).serializer().serialize(topic, (T) record);
    }

    /** Runs the Python side once over all requests and returns its answers, one per request. */
    private static List<JsonNode> python(final String url, final List<String> requests) throws IOException, InterruptedException {
        final Process process = new ProcessBuilder(PYTHON, script().toString(), url).start();
        try {
            final CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
            final CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
            try (OutputStream in = process.getOutputStream()) {
                in.write((String.join("\n", requests) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                fail("the Python cross-check did not finish in 120 s");
            }
            final String out = stdout.join();
            assertEquals(0, process.exitValue(), "Python cross-check failed:\n" + stderr.join() + "\n" + out);
            final List<JsonNode> answers = new ArrayList<>();
            for (final String line : out.split("\n")) {
                if (!line.isBlank()) {
                    answers.add(JSON.readTree(line));
                }
            }
            assertEquals(requests.size(), answers.size(), out);
            return answers;
        } finally {
            process.destroyForcibly();
        }
    }

    private static String read(final java.io.InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path script() {
        return ApicurioProcess.repositoryRoot().resolve("streams-app/src/test/resources/confluent_crosscheck.py");
    }
}
