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
 * <p>Why a reserve: when more messages escalate than the cap allows, first come, first served
 * spends the encoder on whatever escalated first, mostly ordinary messages the fast tier could not
 * rule out, and a disclosure arriving after them gets the fast grade, which misses more. So an
 * escalation says how urgent it is (the fast tier's probability of risk, or 1 for a curated crisis
 * phrase), and the least urgent may take a call only while the bucket holds more than
 * {@link #reserve} of its room; the most urgent may take the last call. Below the cap the bucket
 * stays full and every escalation is encoded, as before; above it the encoder goes to the riskiest
 * messages first. Off by default: see {@link #DEFAULT_RESERVE}.
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
    /**
     * The stream's default reserve: none, first come, first served. A restart or a takeover starts
     * a partition's bucket full, so an uninterrupted run and a restarted one grade alike only while
     * neither refuses a call; with a reserve, refusals begin at part of the room instead of at the
     * last call, and a burst of escalations just after a takeover was graded otherwise than one
     * instance graded it ({@code EndToEndIT}'s scale-out test). Until the buckets' state is kept with
     * the task's state, the reserve is for deployments that rank encoder coverage over a restart's
     * exactness ({@code --crisis-encoder-reserve}).
     */
    public static final double DEFAULT_RESERVE = 0;
    /**
     * The reserve measured to help over the cap: at half the room, random arrivals at 85% of the
     * cap are never refused and at 90% 6 in 100,000 are, so {@code VigilCrisisEncoderOverBudget}
     * still means about the cap (0.9 refused 0.3% at 80% and 1.5% at 90%); over the cap the encoder
     * goes to the riskiest escalations first ({@code EncoderTriageTest}).
     */
    public static final double MEASURED_RESERVE = 0.5;

    private final double rate;
    private final double reserve;
    private final Bucket[] buckets;
    private final LongAdder granted = new LongAdder();
    private final LongAdder overflow = new LongAdder();
    private final java.util.function.LongSupplier wallClock;

    /** {@code rate} calls per second of event time, at most {@code burst} at once, in one bucket. */
    public EncoderBudget(final double rate, final double burst) {
        this(rate, burst, 1, DEFAULT_RESERVE, System::currentTimeMillis);
    }

    /** As {@link #EncoderBudget(double, double)}, shared evenly by {@code partitions} input partitions. */
    public EncoderBudget(final double rate, final double burst, final int partitions) {
        this(rate, burst, partitions, DEFAULT_RESERVE, System::currentTimeMillis);
    }

    /**
     * As {@link #EncoderBudget(double, double, int)}, keeping {@code reserve} (0 to 1) of each
     * bucket's room for urgent escalations; 0 is first come, first served.
     */
    public EncoderBudget(final double rate, final double burst, final int partitions, final double reserve) {
        this(rate, burst, partitions, reserve, System::currentTimeMillis);
    }

    EncoderBudget(final double rate, final double burst, final java.util.function.LongSupplier wallClock) {
        this(rate, burst, 1, DEFAULT_RESERVE, wallClock);
    }

    EncoderBudget(final double rate, final double burst, final int partitions, final double reserve,
                  final java.util.function.LongSupplier wallClock) {
        this.wallClock = wallClock;
        if (!(rate > 0) || !(burst >= 1) || partitions < 1) {
            throw new IllegalArgumentException("the encoder budget needs a positive rate, a burst of at least 1 and a partition");
        }
        if (!(reserve >= 0 && reserve <= 1)) {
            throw new IllegalArgumentException("the encoder budget's reserve is a share of its room, from 0 to 1");
        }
        this.rate = rate;
        this.reserve = reserve;
        this.buckets = new Bucket[partitions];
        for (int i = 0; i < partitions; i++) {
            buckets[i] = new Bucket(rate / partitions, Math.max(1, burst / partitions));
        }
    }

    /** Takes one call's worth of budget at {@code eventTimeMs} for the most urgent kind of escalation. */
    public boolean tryAcquire(final long eventTimeMs) {
        return tryAcquire(0, eventTimeMs, 1);
    }

    /**
     * Takes one call's worth of the budget of input partition {@code partition} at
     * {@code eventTimeMs} for an escalation of {@code urgency} (0 to 1); false when its share of
     * the cap is reached, or when what is left is the reserve and the escalation is not urgent
     * enough for it.
     */
    public boolean tryAcquire(final int partition, final long eventTimeMs, final double urgency) {
        if (Double.isInfinite(rate)) {
            granted.increment();
            return true;
        }
        final Bucket bucket = buckets[Math.floorMod(partition, buckets.length)];
        // Tokens that must be left after this call: none for the most urgent, most of the
        // reserve for the least. A full bucket admits anything, so below the cap all is encoded.
        final double keep = reserve * (bucket.burst - 1) * (1 - Math.max(0, Math.min(1, urgency)));
        final boolean ok = bucket.take(Math.min(eventTimeMs, wallClock.getAsLong() + MAX_AHEAD_MS), keep);
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

        synchronized boolean take(final long t, final double keep) {
            if (clock == Long.MIN_VALUE) {
                clock = t;
            } else if (t > clock) {
                tokens = Math.min(burst, tokens + (t - clock) * rate / 1000.0);
                clock = t;
            }
            if (tokens >= 1 + keep) {
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
