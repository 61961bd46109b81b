package dev.vigil.alert.route;

import dev.vigil.schema.Severity;

import java.net.URI;

/** What every HTTP destination has in common: its name, endpoint, severity floor and rate limit. */
abstract class HttpDestination implements Destination {
    private final String name;
    private final URI endpoint;
    private final Severity minimumSeverity;
    private final double ratePerSecond;

    HttpDestination(final String name, final URI endpoint, final Severity minimumSeverity, final double ratePerSecond) {
        this.name = name;
        this.endpoint = endpoint;
        this.minimumSeverity = minimumSeverity;
        this.ratePerSecond = ratePerSecond;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final URI endpoint() {
        return endpoint;
    }

    @Override
    public final Severity minimumSeverity() {
        return minimumSeverity;
    }

    @Override
    public final double ratePerSecond() {
        return ratePerSecond;
    }
}
