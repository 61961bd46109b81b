package dev.vigil.serde;

/**
 * A Confluent-compatible registry served over HTTP from inside {@code vigil run}'s embedded
 * default, so that {@code vigil produce} and {@code vigil tail} in other processes share its ids.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {
    private final String url;

    private EmbeddedSchemaRegistry(final String url) {
        this.url = url;
    }

    /** Starts serving on {@code host:port} (port 0: any free port). */
    public static EmbeddedSchemaRegistry start(final String host, final int port) {
        // Implemented by the registry work.
        throw new UnsupportedOperationException("embedded schema registry not implemented yet");
    }

    /** Base URL to give {@link SchemaRegistries#forUrl}. */
    public String url() {
        return url;
    }

    @Override
    public void close() {
    }
}
