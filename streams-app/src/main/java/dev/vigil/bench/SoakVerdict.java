package dev.vigil.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides whether a soak run was steady. Only the second half of the samples is judged: by
 * then the windows have filled (the soak runs with windows and an inactivity gap shorter than a
 * quarter of its length), so state that the windows explain has stopped growing and what still
 * grows is a leak. For each series the least-squares slope over the second half, times the
 * length of the second half, is the growth a trend line shows; it must stay under a bound:
 * <ul>
 *   <li>consumer lag: under {@code rate × 2 s} (it would otherwise be falling behind), and the
 *       last sample under {@code rate × 5 s};</li>
 *   <li>heap after GC: under 48 MiB plus 10% of the second half's mean. The value is the heap
 *       after the most recent collection of any kind; with G1 it rises with promotion between
 *       old-generation cycles and drops at each, so a soak shorter than a few such cycles gives a
 *       noisy trend (seen: 85 to 760 MiB and back to 151 MiB within ten minutes at -Xmx1g);</li>
 *   <li>state on disk: under 16 MiB plus 25% of the second half's mean (RocksDB flushes
 *       memtables and compacts in steps).</li>
 * </ul>
 */
public final class SoakVerdict {
    /** One sample of the soak. */
    public record Sample(double seconds, long lag, long heapAfterGcBytes, long stateBytes) {
    }

    /** The verdict and one line per criterion saying what was measured against what bound. */
    public record Result(boolean steady, List<String> findings) {
    }

    private static final double MIB = 1024 * 1024;

    private SoakVerdict() {
    }

    public static Result judge(final List<Sample> samples, final double ratePerSecond) {
        final List<String> findings = new ArrayList<>();
        if (samples.size() < 6) {
            findings.add("too few samples (" + samples.size() + ") to judge");
            return new Result(false, findings);
        }
        final List<Sample> half = samples.subList(samples.size() / 2, samples.size());
        final double span = half.get(half.size() - 1).seconds() - half.get(0).seconds();
        boolean steady = true;

        final double lagGrowth = growth(half, s -> s.lag()) ;
        final double lagBound = ratePerSecond * 2;
        final long lastLag = half.get(half.size() - 1).lag();
        final double lastLagBound = ratePerSecond * 5;
        steady &= lagGrowth <= lagBound && lastLag <= lastLagBound;
        findings.add(String.format(Locale.ROOT, "lag: trend %+.0f records over the last %.0f s (bound %.0f), last %d (bound %.0f)",
                lagGrowth, span, lagBound, lastLag, lastLagBound));

        final List<Sample> withHeap = half.stream().filter(s -> s.heapAfterGcBytes() >= 0).toList();
        final double heapGrowth = growth(withHeap, s -> s.heapAfterGcBytes());
        final double heapBound = 48 * MIB + 0.10 * mean(withHeap, s -> s.heapAfterGcBytes());
        steady &= withHeap.size() >= 3 && heapGrowth <= heapBound;
        findings.add(String.format(Locale.ROOT, "heap after GC: trend %+.1f MiB (bound %.1f MiB), mean %.1f MiB",
                heapGrowth / MIB, heapBound / MIB, mean(withHeap, s -> s.heapAfterGcBytes()) / MIB));

        final double stateGrowth = growth(half, s -> s.stateBytes());
        final double stateBound = 16 * MIB + 0.25 * mean(half, s -> s.stateBytes());
        steady &= stateGrowth <= stateBound;
        findings.add(String.format(Locale.ROOT, "state on disk: trend %+.1f MiB (bound %.1f MiB), mean %.1f MiB",
                stateGrowth / MIB, stateBound / MIB, mean(half, s -> s.stateBytes()) / MIB));
        return new Result(steady, findings);
    }

    /** Slope of the least-squares line through the samples, times their time span. */
    private static double growth(final List<Sample> samples, final java.util.function.ToDoubleFunction<Sample> value) {
        if (samples.size() < 2) {
            return 0;
        }
        final double[] x = samples.stream().mapToDouble(Sample::seconds).toArray();
        final double[] y = samples.stream().mapToDouble(value).toArray();
        return Stats.slope(x, y) * (x[x.length - 1] - x[0]);
    }

    private static double mean(final List<Sample> samples, final java.util.function.ToDoubleFunction<Sample> value) {
        return samples.stream().mapToDouble(value).average().orElse(0);
    }
}
