package dev.vigil.serde;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether the schema registry answered the last request, and how many requests it failed, for
 * health checks and metrics. A registry outage does not stop Vigil at once (known schema ids are
 * cached), but the first record with a schema id it has not seen waits until the registry is
 * back; operators need to see that here rather than as growing lag with no reason.
 *
 * <p>It reflects the last request: with every id cached, no request is made and the registry is
 * reported up even if it is down, which is true for Vigil (nothing waits on it).
 */
public final class SchemaRegistryStatus {
    /** For registries that cannot fail (in memory): always up, never an error. */
    static final SchemaRegistryStatus IN_PROCESS = new SchemaRegistryStatus();

    private final AtomicBoolean up = new AtomicBoolean(true);
    private final AtomicLong errors = new AtomicLong();

    /** The registry answered (any answer about the request itself, including "schema not found"). */
    void answered() {
        up.set(true);
    }

    /** One attempt failed because the registry was unreachable, overloaded or refused us. */
    void failed() {
        errors.incrementAndGet();
        up.set(false);
    }

    /** False from a failed attempt until the next answered one. */
    public boolean up() {
        return up.get();
    }

    /** Attempts that failed because the registry was unavailable, since start. */
    public long errors() {
        return errors.get();
    }
}
