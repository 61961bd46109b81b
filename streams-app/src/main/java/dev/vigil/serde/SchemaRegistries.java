package dev.vigil.serde;

import java.util.Map;

/** Picks the registry client for a URL: {@code mock://name} in memory, http(s) over REST. */
public final class SchemaRegistries {
    public static final String MOCK_SCHEME = "mock://";

    private SchemaRegistries() {
    }

    /**
     * @param url    {@code mock://name} or the registry's base URL (for Apicurio, ending in
     *               {@code /apis/ccompat/v7})
     * @param config client settings ({@code basic.auth.user.info}, TLS trust store, ...)
     */
    public static SchemaRegistryClient forUrl(final String url, final Map<String, String> config) {
        if (url.startsWith(MOCK_SCHEME)) {
            return InMemorySchemaRegistry.named(url.substring(MOCK_SCHEME.length()));
        }
        if (url.startsWith("http://") || url.startsWith("https://")) {
            return new HttpSchemaRegistryClient(url, config);
        }
        throw new IllegalArgumentException("unsupported schema registry URL '" + url
                + "': use mock://name (in-memory, tests) or the http(s) URL of a Confluent-compatible registry");
    }
}
