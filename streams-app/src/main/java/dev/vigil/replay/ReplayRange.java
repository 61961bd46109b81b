package dev.vigil.replay;

import dev.vigil.config.MonitoringConfig;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The event-time range of a replay and the rule that makes its results equal the live ones.
 *
 * <p>Live, a window or a conversation is closed by <em>later</em> records: stream time has to
 * pass a window's end plus grace before its one final result is published. A replay that stopped
 * reading at {@code to} would never close the windows open at {@code to}; one that read on and
 * published everything would publish results of data after {@code to}. So a replay:
 * <ol>
 *   <li>reads each input partition from its first record at or after {@code from - warmup}
 *       until its first record after {@code to + lookahead} (or its end as it was at start,
 *       then waits for the partitions' tasks to report themselves idle, as they did live);</li>
 *   <li>processes everything it reads exactly as the live application did, so every window and
 *       conversation that the later records close is closed the same way;</li>
 *   <li>publishes only output records whose timestamp (event time) lies in {@code [from, to]}.
 *       Every output record carries the event time of what produced it: a summary the time of
 *       its message (or of the conversation's end), an aggregate the last instant of its window,
 *       an alert the event or window end that raised it. A result that includes data after
 *       {@code to} therefore has a later timestamp and is not published.</li>
 * </ol>
 * Results are identical to live for windows fully inside {@code [from, to]} whose
 * conversations began after {@code from - warmup} (state that started before the first record
 * read cannot be rebuilt), and whenever the live run itself counted no record as late.
 *
 * @param from      first event time whose results are published
 * @param to        last event time whose results are published
 * @param warmup    read this much before {@code from} to rebuild conversation state, not published
 * @param lookahead read this much after {@code to} so stream time closes the windows open at {@code to}
 */
public record ReplayRange(Instant from, Instant to, Duration warmup, Duration lookahead) {
    public ReplayRange {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(lookahead, "lookahead");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("--to must not be before --from");
        }
        if (warmup.isNegative() || lookahead.isNegative()) {
            throw new IllegalArgumentException("warm-up and look-ahead must not be negative");
        }
    }

    /**
     * The look-ahead that closes every window and conversation open at {@code to} under
     * {@code config}: the longest window (aggregates or abuse), plus grace, plus the inactivity
     * gap (a conversation ending inside the range is counted where its end is noticed).
     */
    public static Duration defaultLookahead(final MonitoringConfig config) {
        Duration longest = config.abuseWindow();
        for (final MonitoringConfig.WindowSpec w : config.aggregateWindows()) {
            if (w.size().compareTo(longest) > 0) {
                longest = w.size();
            }
        }
        return longest.plus(config.grace()).plus(config.inactivityGap());
    }

    /** First event time read. */
    public Instant readFrom() {
        return from.minus(warmup);
    }

    /** Records later than this are not read (each partition stops at its first such record). */
    public Instant readUntil() {
        return to.plus(lookahead);
    }

    /** Whether an output record with this timestamp is published. */
    public boolean publishes(final long timestampMs) {
        return timestampMs >= from.toEpochMilli() && timestampMs <= to.toEpochMilli();
    }
}
