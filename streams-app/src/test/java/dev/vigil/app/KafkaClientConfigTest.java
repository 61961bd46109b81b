package dev.vigil.app;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KafkaClientConfigTest {
    @Test
    void shouldPassKafkaVariablesThroughAsClientSettings() {
        final Map<String, String> config = KafkaClientConfig.resolve(Map.of(
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_MECHANISM", "PLAIN",
                "KAFKA_HEAP_OPTS", "-Xmx1g",
                "HOME", "/root"), List.of());
        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN"), config);
    }

    @Test
    void shouldLetFlagsWinOverTheEnvironment() {
        final Map<String, String> config = KafkaClientConfig.resolve(Map.of("KAFKA_SECURITY_PROTOCOL", "SSL"),
                List.of("security.protocol=SASL_SSL", "sasl.jaas.config=a=b c=d"));
        assertEquals("SASL_SSL", config.get("security.protocol"));
        assertEquals("a=b c=d", config.get("sasl.jaas.config"), "only the first = splits key from value");
    }

    @Test
    void shouldRejectAFlagWithoutAValue() {
        assertThrows(IllegalArgumentException.class, () -> KafkaClientConfig.resolve(Map.of(), List.of("acks")));
    }

    @Test
    void shouldAlwaysRunExactlyOnce() {
        final var settings = new StreamsSettings("vigil", "h:1", "mock://x", java.nio.file.Path.of("/tmp/s"), 100,
                (short) 1, 3, 1, Map.of("ssl.truststore.location", "/etc/ts.jks"));
        final var props = settings.toProperties();
        assertEquals("exactly_once_v2", props.get("processing.guarantee"));
        assertEquals("/etc/ts.jks", props.get("ssl.truststore.location"));
    }
}
