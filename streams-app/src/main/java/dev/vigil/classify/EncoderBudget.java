package dev.vigil.classify;

import java.util.concurrent.atomic.LongAdder;

/**
 * The hard cap on sentence-encoder calls of one instance: a token bucket of {@code rate} calls a
 * second with room for {@code burst}, shared out evenly over the input partitions. Its clock is
 * event time (the latest event seen), not the wall clock, so a replay or a catch-up after downtime
 * escalates the same messages the live run did whatever speed it runs at; live, event time
 * follows the wall clock and so does the cap. The clock never runs more than
 * {@link #MAX_AHEAD_MS} ahead of the wall clock, so records stamped in the future refill the
 * bucket once, not for ever.
 *
 * <p>Why a bucket per input partition: with one bucket and one clock per instance, an instance
 * that took over a killed instance's partitions caught up on their backlog with its clock already
 * past it, so nothing refilled and the backlog's escalations fell past the cap, graded otherwise
 * than the uninterrupted run graded them (found by {@code EndToEndIT}'s scale-out test). A
 * partition's own events now decide what its bucket grants, whichever instance holds it. An
 * instance holding every partition may still make {@code rate} calls a second; one of two
 * instances sharing them makes half that.
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
    private final Bucket[] buckets;
    private final LongAdder granted = new LongAdder();
    private final LongAdder overflow = new LongAdder();
    private final java.util.function.LongSupplier wallClock;

    /** {@code rate} calls per second of event time, at most {@code burst} at once, in one bucket. */
    public EncoderBudget(final double rate, final double burst) {
        this(rate, burst, 1, System::currentTimeMillis);
    }

    /** As {@link #EncoderBudget(double, double)}, shared evenly by {@code partitions} input partitions. */
    public EncoderBudget(final double rate, final double burst, final int partitions) {
        this(rate, burst, partitions, System::currentTimeMillis);
    }

    EncoderBudget(final double rate, final double burst, final java.util.function.LongSupplier wallClock) {
        this(rate, burst, 1, wallClock);
    }

    EncoderBudget(final double rate, final double burst, final int partitions,
                  final java.util.function.LongSupplier wallClock) {
        this.wallClock = wallClock;
        if (!(rate > 0) || !(burst >= 1) || partitions < 1) {
            throw new IllegalArgumentException("the encoder budget needs a positive rate, a burst of at least 1 and a partition");
        }
        this.rate = rate;
        this.buckets = new Bucket[partitions];
        for (int i = 0; i < partitions; i++) {
            buckets[i] = new Bucket(rate / partitions, Math.max(1, burst / partitions));
        }
    }

    /** Takes one call's worth of budget at {@code eventTimeMs}; false when the cap is reached. */
    public boolean tryAcquire(final long eventTimeMs) {
        return tryAcquire(0, eventTimeMs);
    }

    /**
     * Takes one call's worth of the budget of input partition {@code partition} at
     * {@code eventTimeMs}; false when its share of the cap is reached.
     */
    public boolean tryAcquire(final int partition, final long eventTimeMs) {
        if (Double.isInfinite(rate)) {
            granted.increment();
            return true;
        }
        final boolean ok = buckets[Math.floorMod(partition, buckets.length)]
                .take(Math.min(eventTimeMs, wallClock.getAsLong() + MAX_AHEAD_MS));
        (ok ? granted : overflow).increment();
        return ok;
    }

    /** One partition's token bucket on its own event-time clock. */
    private static final class Bucket {
        private final double rate;
        private final double burst;
        private double tokens;
        private long clock = Long.MIN_VALUE;

        Bucket(final double rate, final double burst) {
            this.rate = rate;
            this.burst = burst;
            this.tokens = burst;
        }

        synchronized boolean take(final long t) {
            if (clock == Long.MIN_VALUE) {
                clock = t;
            } else if (t > clock) {
                tokens = Math.min(burst, tokens + (t - clock) * rate / 1000.0);
                clock = t;
            }
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
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
