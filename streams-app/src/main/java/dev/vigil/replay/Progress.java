package dev.vigil.replay;

import java.time.Duration;
import java.util.Locale;

/**
 * How far a replay has come: input records committed out of those planned, the rate so far and
 * the time left at that rate.
 *
 * @param done    input records committed
 * @param total   input records planned (between start and stop offsets)
 * @param elapsed since the application started
 */
public record Progress(long done, long total, Duration elapsed) {
    /** Records per second so far. */
    public double rate() {
        final double seconds = elapsed.toMillis() / 1000.0;
        return seconds <= 0 ? 0 : done / seconds;
    }

    /** Time left at the rate so far; empty before the first record. */
    public Duration remaining() {
        final double rate = rate();
        if (rate <= 0) {
            return null;
        }
        return Duration.ofMillis((long) ((total - done) / rate * 1000));
    }

    /** The progress line: {@code replay: 12,345 / 50,000 records (24.7%), 3,210 rec/s, ~0:12 left}. */
    public String line() {
        final double pct = total == 0 ? 100.0 : 100.0 * done / total;
        final Duration left = remaining();
        return String.format(Locale.ROOT, "replay: %,d / %,d records (%.1f%%), %,.0f rec/s, %s left",
                done, total, pct, rate(), left == null ? "?" : clock(left));
    }

    public static String clock(final Duration d) {
        final long s = d.toSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
