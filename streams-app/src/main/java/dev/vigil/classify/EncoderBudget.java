package dev.vigil.classify;

import java.util.concurrent.atomic.LongAdder;

/**
 * The hard cap on sentence-encoder calls of one instance: a token bucket of {@code rate} calls a
 * second with room for {@code burst}. Its clock is event time (the latest event seen), not the
 * wall clock, so a replay or a catch-up after downtime escalates the same messages the live run
 * did whatever speed it runs at; live, event time follows the wall clock and so does the cap.
 * The clock never runs more than {@link #MAX_AHEAD_MS} ahead of the wall clock, so records
 * stamped in the future refill the bucket once, not for ever.
 *
 * <p>Past the cap the fast tier's grade stands, and {@link #overflow()} counts it.
 */
public final class EncoderBudget {
    /** No cap: offline tools ({@code vigil eval}, {@code vigil classify}) grade every escalation. */
    public static final EncoderBudget UNLIMITED = new EncoderBudget(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
    static final long MAX_AHEAD_MS = 60_000;
    /**
     * The stream's default cap: about a third of one core at the encoder's measured cost on demo
     * traffic, 8.3 ms a call on this project's reference machine (docs/classifier.md, "Speed and
     * budget"), leaving the rest of the instance's cores to the pipeline.
     */
    public static final double DEFAULT_RATE = 40;

    private final double rate;
    private final double burst;
    private double tokens;
    private long clock = Long.MIN_VALUE;
    private final LongAdder granted = new LongAdder();
    private final LongAdder overflow = new LongAdder();
    private final java.util.function.LongSupplier wallClock;

    /** {@code rate} calls per second of event time, at most {@code burst} at once. */
    public EncoderBudget(final double rate, final double burst) {
        this(rate, burst, System::currentTimeMillis);
    }

    EncoderBudget(final double rate, final double burst, final java.util.function.LongSupplier wallClock) {
        this.wallClock = wallClock;
        if (!(rate > 0) || !(burst >= 1)) {
            throw new IllegalArgumentException("the encoder budget needs a positive rate and a burst of at least 1");
        }
        this.rate = rate;
        this.burst = burst;
        this.tokens = burst;
    }

    /** Takes one call's worth of budget at {@code eventTimeMs}; false when the cap is reached. */
    public synchronized boolean tryAcquire(final long eventTimeMs) {
        if (Double.isInfinite(rate)) {
            granted.increment();
            return true;
        }
        final long t = Math.min(eventTimeMs, wallClock.getAsLong() + MAX_AHEAD_MS);
        if (clock == Long.MIN_VALUE) {
            clock = t;
        } else if (t > clock) {
            tokens = Math.min(burst, tokens + (t - clock) * rate / 1000.0);
            clock = t;
        }
        if (tokens >= 1) {
            tokens -= 1;
            granted.increment();
            return true;
        }
        overflow.increment();
        return false;
    }

    public double rate() {
        return rate;
    }

    public long granted() {
        return granted.sum();
    }

    public long overflow() {
        return overflow.sum();
    }
}
