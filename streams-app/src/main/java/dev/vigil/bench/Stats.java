package dev.vigil.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Small statistics for benchmark figures: median/min/max over repeats, percentiles of latency
 * samples, and the least-squares slope the soak judges growth by.
 */
public final class Stats {
    private Stats() {
    }

    /** Median, minimum and maximum of repeated measurements of one figure. */
    public record Spread(double median, double min, double max) {
        public String format(final String unit) {
            return String.format(java.util.Locale.ROOT, "%,.0f %s (min %,.0f, max %,.0f)", median, unit, min, max);
        }
    }

    public static Spread spread(final Collection<Double> values) {
        if (values.isEmpty()) {
            return new Spread(Double.NaN, Double.NaN, Double.NaN);
        }
        final List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        final int n = sorted.size();
        final double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Spread(median, sorted.get(0), sorted.get(n - 1));
    }

    /**
     * The nearest-rank percentile ({@code p} in 0..100) of {@code samples}: the smallest value
     * at least {@code p}% of the samples are at or below. NaN when there are none.
     */
    public static double percentile(final List<Long> samples, final double p) {
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        final List<Long> sorted = new ArrayList<>(samples);
        sorted.sort(null);
        final int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    /** Least-squares slope of {@code y} over {@code x} (units of y per unit of x); 0 with fewer than two points. */
    public static double slope(final double[] x, final double[] y) {
        final int n = x.length;
        if (n < 2) {
            return 0;
        }
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxx == 0 ? 0 : sxy / sxx;
    }
}
