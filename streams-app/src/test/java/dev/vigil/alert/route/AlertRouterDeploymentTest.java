package dev.vigil.alert.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.vigil.ops.ExternalTools;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On Kubernetes the router gets the streaming job's connection settings from the same place, so
 * a registry credential or trust store added for one reaches the other: it cannot read alerts
 * written with settings it never got.
 */
class AlertRouterDeploymentTest {
    private static final YAMLMapper YAML = new YAMLMapper();
    private final Path k8s = ExternalTools.repoRoot().resolve("deploy/k8s");

    private static JsonNode first(final Path file, final String kind) throws IOException {
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (it.hasNext()) {
                final JsonNode doc = it.next();
                if (doc != null && kind.equals(doc.path("kind").asText())) {
                    return doc;
                }
            }
        }
        throw new AssertionError("no " + kind + " in " + file);
    }

    private static Set<String> sources(final JsonNode container) {
        final Set<String> out = new HashSet<>();
        for (final JsonNode from : container.path("envFrom")) {
            from.fieldNames().forEachRemaining(kind -> out.add(kind + "/" + from.get(kind).path("name").asText()));
        }
        return out;
    }

    @Test
    void shouldReadTheStreamingJobsConnectionSettingsFromTheSameConfigMap() throws IOException {
        final JsonNode job = first(k8s.resolve("vigil-statefulset.yaml"), "StatefulSet")
                .at("/spec/template/spec/containers/0");
        final JsonNode router = first(k8s.resolve("alert-router-deployment.yaml"), "Deployment")
                .at("/spec/template/spec/containers/0");
        final Set<String> jobSources = sources(job);
        assertTrue(jobSources.contains("configMapRef/vigil-config"), jobSources.toString());
        final Set<String> routerSources = sources(router);
        assertTrue(routerSources.containsAll(jobSources), "router " + routerSources + " lacks some of " + jobSources);
        for (final JsonNode env : router.path("env")) {
            final String name = env.path("name").asText();
            assertFalse(name.startsWith("KAFKA_") || name.equals("VIGIL_SCHEMA_REGISTRY_URL")
                    || name.equals("VIGIL_BOOTSTRAP_SERVERS"), "the router overrides " + name + " on its own");
        }
        // The config map's VIGIL_HTTP_PORT is the job's; the router's own port wins over it.
        String httpPort = null;
        for (final JsonNode env : router.path("env")) {
            if (env.path("name").asText().equals("VIGIL_HTTP_PORT")) {
                httpPort = env.path("value").asText();
            }
        }
        assertEquals("8082", httpPort);
        assertEquals(8082, router.at("/ports/0/containerPort").asInt());
        // Liveness only: while the registry is down /health/ready is 503, and a restart would not help.
        assertEquals("/health/live", router.at("/livenessProbe/httpGet/path").asText());
    }
}
