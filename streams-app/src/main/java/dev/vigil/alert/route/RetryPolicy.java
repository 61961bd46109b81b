package dev.vigil.alert.route;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How hard the router tries one destination: exponential backoff with full jitter between
 * attempts (so many routers recovering together do not hammer a tool in lock-step), a timeout
 * per request, and a cap on how long a {@code Retry-After} may make it wait.
 *
 * @param maxAttempts     attempts in all, the first included
 * @param initialBackoff  base delay before the second attempt; doubles each attempt
 * @param maxBackoff      cap of the exponential delay
 * @param requestTimeout  a request without an answer after this counts as failed and is retried
 * @param maxRetryAfter   longest {@code Retry-After} honoured; longer values are cut to this
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration requestTimeout,
                          Duration maxRetryAfter) {

    public static RetryPolicy defaults() {
        return new RetryPolicy(8, Duration.ofMillis(500), Duration.ofSeconds(60), Duration.ofSeconds(10),
                Duration.ofMinutes(5));
    }

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    /**
     * Delay before attempt {@code attempt + 1} after failed attempt {@code attempt} (1-based):
     * a random value between half and all of {@code min(maxBackoff, initialBackoff * 2^(attempt-1))}.
     * Half is kept as a floor so a retry never fires immediately.
     */
    public Duration backoff(final int attempt) {
        final long base = initialBackoff.toMillis();
        final long exp = Math.min(maxBackoff.toMillis(), base << Math.min(attempt - 1, 30));
        final long half = exp / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(exp - half + 1));
    }

    /** The wait a destination asked for, capped. */
    public Duration retryAfter(final Duration asked) {
        return asked.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : asked;
    }
}
