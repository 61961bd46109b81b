package dev.vigil.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What can be checked of the deploy files without Docker or a cluster: every YAML file parses,
 * the compose stack has every service and mounts files that exist, the StatefulSet keeps state
 * on persistent volumes and probes the health endpoints, the operator rules match the rules
 * promtool tests, and the dashboards use only the {@code ${datasource}} variable.
 */
class DeployFilesTest {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path root = ExternalTools.repoRoot();

    private List<JsonNode> documents(final Path file) throws IOException {
        final List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (it.hasNext()) {
                final JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    @Test
    void shouldParseEveryYamlFileUnderDeployAndGrafana() throws IOException {
        final List<Path> files;
        try (Stream<Path> walk = Stream.concat(Files.walk(root.resolve("deploy")), Files.walk(root.resolve("grafana")))) {
            files = walk.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
                    .filter(p -> !p.toString().contains("/target/")).toList();
        }
        assertTrue(files.size() >= 15, "found " + files);
        for (final Path f : files) {
            assertFalse(documents(f).isEmpty(), f + " is empty");
        }
    }

    @Test
    void shouldComposeTheWholeStackFromFilesThatExist() throws IOException {
        final Path composeDir = root.resolve("deploy/compose");
        final JsonNode services = documents(composeDir.resolve("docker-compose.yml")).get(0).get("services");
        for (final String s : List.of("kafka", "registry", "vigil", "vigil-alert-router", "prometheus",
                "alertmanager", "grafana")) {
            assertTrue(services.has(s), "compose lacks " + s);
        }
        for (final JsonNode service : services) {
            for (final JsonNode volume : service.path("volumes")) {
                final String source = volume.asText().split(":")[0];
                if (source.startsWith(".") && !source.equals("./secrets")) {
                    assertTrue(Files.exists(composeDir.resolve(source)), "compose mounts missing " + source);
                }
            }
            for (final JsonNode port : service.path("ports")) {
                assertTrue(port.asText().startsWith("127.0.0.1:"), "port published beyond localhost: " + port);
            }
        }
        assertTrue(Files.isRegularFile(composeDir.resolve("Dockerfile")));
        // The Alertmanager secret files the config names all have an example.
        final String am = Files.readString(root.resolve("deploy/alertmanager/alertmanager.yml"));
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("/etc/alertmanager/secrets/([a-z-]+)").matcher(am);
        while (m.find()) {
            assertTrue(Files.isRegularFile(composeDir.resolve("secrets.example").resolve(m.group(1))), m.group(1));
        }
    }

    @Test
    void shouldKeepStateOnPersistentVolumesAndProbeTheHealthEndpoints() throws IOException {
        final Map<String, JsonNode> byKind = new HashMap<>();
        try (Stream<Path> files = Files.list(root.resolve("deploy/k8s"))) {
            for (final Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                for (final JsonNode doc : documents(f)) {
                    byKind.put(doc.path("kind").asText() + "/" + doc.path("metadata").path("name").asText(), doc);
                }
            }
        }
        final JsonNode sts = byKind.get("StatefulSet/vigil");
        final JsonNode pod = sts.at("/spec/template/spec");
        final JsonNode container = pod.get("containers").get(0);
        final String stateMount = container.at("/volumeMounts/0/mountPath").asText();
        assertEquals(sts.at("/spec/volumeClaimTemplates/0/metadata/name").asText(),
                container.at("/volumeMounts/0/name").asText(), "state volume comes from a claim template");
        assertEquals("/var/lib/vigil/state", stateMount);
        assertEquals("/health/live", container.at("/livenessProbe/httpGet/path").asText());
        assertEquals("/health/ready", container.at("/readinessProbe/httpGet/path").asText());
        assertEquals("8080", sts.at("/spec/template/metadata/annotations/prometheus.io~1port").asText());
        assertEquals(8080, container.at("/ports/0/containerPort").asInt());
        assertTrue(byKind.containsKey("PodMonitor/vigil"));
        assertTrue(byKind.containsKey("Deployment/vigil-alert-router"));
        // Every kustomization resource exists.
        for (final JsonNode r : documents(root.resolve("deploy/k8s/kustomization.yaml")).get(0).get("resources")) {
            assertTrue(Files.isRegularFile(root.resolve("deploy/k8s").resolve(r.asText())), r.asText());
        }
    }

    @Test
    void shouldSupplyThePseudonymKeyFromASecretFileInEveryDeployment() throws IOException {
        // Kubernetes: a file from the vigil-pseudonym-key Secret, named by VIGIL_PSEUDONYM_KEY_FILE.
        final JsonNode sts = documents(root.resolve("deploy/k8s/vigil-statefulset.yaml")).get(0);
        final JsonNode pod = sts.at("/spec/template/spec");
        final JsonNode container = pod.get("containers").get(0);
        String keyFile = null;
        for (final JsonNode env : container.path("env")) {
            assertFalse(env.path("name").asText().equals("VIGIL_PSEUDONYM_KEY"), "the key itself in the manifest");
            if (env.path("name").asText().equals("VIGIL_PSEUDONYM_KEY_FILE")) {
                keyFile = env.path("value").asText();
            }
        }
        assertTrue(keyFile != null, "the StatefulSet names the key file");
        String secretVolume = null;
        for (final JsonNode mount : container.path("volumeMounts")) {
            if (keyFile.startsWith(mount.path("mountPath").asText() + "/")) {
                assertTrue(mount.path("readOnly").asBoolean(), "key mount is read-only");
                secretVolume = mount.path("name").asText();
            }
        }
        assertTrue(secretVolume != null, "the key file is on a mounted volume");
        JsonNode secret = null;
        for (final JsonNode volume : pod.path("volumes")) {
            if (volume.path("name").asText().equals(secretVolume)) {
                secret = volume.path("secret");
            }
        }
        assertEquals("vigil-pseudonym-key", secret.path("secretName").asText(), "the key volume is the Secret");
        assertEquals(keyFile.substring(keyFile.lastIndexOf('/') + 1), secret.at("/items/0/path").asText());
        final String item = secret.at("/items/0/key").asText();
        final boolean example = documents(root.resolve("deploy/k8s/secret.example.yaml")).stream()
                .anyMatch(d -> d.at("/metadata/name").asText().equals("vigil-pseudonym-key")
                        && d.at("/stringData").has(item));
        assertTrue(example, "secret.example.yaml shows the vigil-pseudonym-key Secret with its " + item + " entry");

        // Compose: a compose secret from deploy/compose/secrets/, with an example to copy.
        final Path composeDir = root.resolve("deploy/compose");
        final JsonNode compose = documents(composeDir.resolve("docker-compose.yml")).get(0);
        final JsonNode vigil = compose.at("/services/vigil");
        assertEquals("/run/secrets/pseudonym-key", vigil.at("/environment/VIGIL_PSEUDONYM_KEY_FILE").asText());
        assertFalse(vigil.path("environment").has("VIGIL_PSEUDONYM_KEY"), "the key itself in the compose file");
        assertTrue(java.util.stream.StreamSupport.stream(vigil.path("secrets").spliterator(), false)
                .anyMatch(n -> n.asText().equals("pseudonym-key")), "the vigil service gets the secret");
        assertEquals("./secrets/pseudonym-key", compose.at("/secrets/pseudonym-key/file").asText());
        final Path placeholder = composeDir.resolve("secrets.example/pseudonym-key");
        assertTrue(Files.isRegularFile(placeholder), "secrets.example has a pseudonym-key file");
        // A copied example must not start: its placeholder is refused as a key.
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> dev.vigil.privacy.PseudonymKey.fromFile(placeholder));

        // No shipped file passes a key on a command line.
        try (Stream<Path> walk = Files.walk(root.resolve("deploy"))) {
            for (final Path f : walk.filter(Files::isRegularFile).filter(p -> !p.toString().contains("/target/"))
                    .filter(p -> !p.toString().contains("/run/"))
                    .filter(p -> p.toString().matches(".*(\\.(ya?ml|sh|md|properties|xml)|Dockerfile)$")).toList()) {
                final String text = Files.readString(f);
                assertFalse(text.matches("(?s).*--pseudonym-key[ =].*"), f + " passes --pseudonym-key");
            }
        }
    }

    @Test
    void shouldGiveTheApiTokenFromASecretAndLeaveProbesAndScrapesWithoutOne() throws IOException {
        final JsonNode sts = documents(root.resolve("deploy/k8s/vigil-statefulset.yaml")).get(0);
        final JsonNode pod = sts.at("/spec/template/spec");
        final JsonNode container = pod.get("containers").get(0);
        String tokenFile = null;
        for (final JsonNode env : container.path("env")) {
            assertFalse(env.path("name").asText().equals("VIGIL_HTTP_TOKEN") && env.has("value"),
                    "the token is never a literal in the manifest");
            if (env.path("name").asText().equals("VIGIL_HTTP_TOKEN_FILE")) {
                tokenFile = env.path("value").asText();
            }
        }
        assertTrue(tokenFile != null, "the StatefulSet sets VIGIL_HTTP_TOKEN_FILE");
        String secretVolume = null;
        for (final JsonNode v : pod.path("volumes")) {
            if ("vigil-http-token".equals(v.at("/secret/secretName").asText())) {
                secretVolume = v.path("name").asText();
            }
        }
        assertTrue(secretVolume != null, "a volume from the vigil-http-token secret");
        boolean mounted = false;
        for (final JsonNode m : container.path("volumeMounts")) {
            if (m.path("name").asText().equals(secretVolume)) {
                mounted = tokenFile.startsWith(m.path("mountPath").asText() + "/") && m.path("readOnly").asBoolean();
            }
        }
        assertTrue(mounted, "the token file lies in the read-only secret mount");
        boolean exampleSecret = false;
        for (final JsonNode doc : documents(root.resolve("deploy/k8s/secret.example.yaml"))) {
            if (doc.at("/metadata/name").asText().equals("vigil-http-token")) {
                exampleSecret = doc.at("/stringData").has(tokenFile.substring(tokenFile.lastIndexOf('/') + 1));
            }
        }
        assertTrue(exampleSecret, "secret.example.yaml shows the token secret with the key the pod reads");
        for (final String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            assertTrue(container.at("/" + probe + "/httpGet/path").asText().startsWith("/health/"), probe);
            assertTrue(container.at("/" + probe + "/httpGet/httpHeaders").isMissingNode(), probe + " sends no token");
        }
        final JsonNode vigil = documents(root.resolve("deploy/compose/docker-compose.yml")).get(0).at("/services/vigil");
        assertEquals("${VIGIL_HTTP_TOKEN:-}", vigil.at("/environment/VIGIL_HTTP_TOKEN").asText(),
                "compose takes the token from the environment (.env), never a value in the file");
    }

    @Test
    void shouldRunExactlyTheRulesPromtoolTestsOnKubernetes() throws IOException {
        final List<JsonNode> groups = new ArrayList<>();
        try (Stream<Path> files = Files.list(root.resolve("deploy/prometheus/rules"))) {
            for (final Path f : files.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
                documents(f).get(0).get("groups").forEach(groups::add);
            }
        }
        final JsonNode operator = documents(root.resolve("deploy/k8s/prometheusrule.yaml")).get(0);
        assertEquals(JSON.valueToTree(groups), operator.at("/spec/groups"),
                "deploy/k8s/prometheusrule.yaml is stale: run deploy/k8s/generate-prometheusrule.py");
    }

    @Test
    void shouldUseTheDatasourceVariableInEveryPanelAndDescribeWhatNormalLooksLike() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("grafana/dashboards"))) {
            final List<Path> dashboards = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
            assertEquals(2, dashboards.size());
            for (final Path f : dashboards) {
                final JsonNode d = JSON.readTree(f.toFile());
                final JsonNode variable = d.at("/templating/list/0");
                assertEquals("datasource", variable.get("type").asText(), f.toString());
                assertEquals("datasource", variable.get("name").asText());
                assertEquals("prometheus", variable.get("query").asText());
                final Set<String> titles = new java.util.HashSet<>();
                for (final JsonNode panel : d.get("panels")) {
                    final String title = panel.get("title").asText();
                    assertTrue(titles.add(title), "duplicate panel " + title);
                    assertEquals("${datasource}", panel.at("/datasource/uid").asText(), title);
                    assertTrue(panel.get("description").asText().contains("Normal"), title + " says what normal is");
                    assertTrue(panel.get("targets").size() > 0, title);
                    for (final JsonNode t : panel.get("targets")) {
                        assertEquals("${datasource}", t.at("/datasource/uid").asText(), title);
                    }
                }
                final List<String> hardCoded = new ArrayList<>();
                hardCodedDatasources(d, "", hardCoded);
                assertTrue(hardCoded.isEmpty(), f + " names a datasource at " + hardCoded);
            }
        }
    }

    /** Every "datasource" anywhere in the dashboard must be the variable, never a name or a fixed uid. */
    private static void hardCodedDatasources(final JsonNode node, final String path, final List<String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                final String here = path + "/" + e.getKey();
                if (e.getKey().equals("datasource")) {
                    if (!"${datasource}".equals(e.getValue().path("uid").asText())) {
                        out.add(here);
                    }
                } else {
                    hardCodedDatasources(e.getValue(), here, out);
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                hardCodedDatasources(node.get(i), path + "/" + i, out);
            }
        }
    }
}
