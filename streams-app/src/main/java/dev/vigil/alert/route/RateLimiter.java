package dev.vigil.alert.route;

/**
 * Spaces requests to one destination at least {@code 1 / ratePerSecond} apart. Incident tools
 * throttle per integration (Slack webhooks about one message a second), and an alert storm must
 * not turn into a 429 storm.
 */
final class RateLimiter {
    private final long intervalNanos;
    private long nextFreeNanos = System.nanoTime();

    RateLimiter(final double ratePerSecond) {
        if (ratePerSecond <= 0) {
            throw new IllegalArgumentException("ratePerSecond must be positive");
        }
        this.intervalNanos = (long) (1_000_000_000L / ratePerSecond);
    }

    /** Blocks until this caller may send. */
    synchronized void acquire() throws InterruptedException {
        final long now = System.nanoTime();
        final long wait = nextFreeNanos - now;
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
        }
        nextFreeNanos = Math.max(now, nextFreeNanos) + intervalNanos;
    }
}
