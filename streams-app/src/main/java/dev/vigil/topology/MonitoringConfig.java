package dev.vigil.topology;

import dev.vigil.config.Topics;

/**
 * Settings of the monitoring stages. {@link #defaults()} is what {@code vigil run} uses with no
 * configuration; every value can be overridden from the command line.
 *
 * @param outputPrefix prefix of every output topic (empty for live; a replay sets its own)
 */
public record MonitoringConfig(String outputPrefix) {

    public static MonitoringConfig defaults() {
        return new MonitoringConfig("");
    }

    public String topic(final String name) {
        return Topics.prefixed(outputPrefix, name);
    }
}
