package dev.vigil.classify.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * The benchmark's workload measured in messages per second of this thread's CPU time, a figure
 * that stays meaningful on a shared machine where wall-clock throughput (JMH) reflects how much
 * of a core the process got. Run like {@link ClassifierBenchmark}, with main class
 * {@code dev.vigil.classify.bench.ClassifierCpuThroughput} (arguments: rounds, messages per round).
 */
public final class ClassifierCpuThroughput {
    private ClassifierCpuThroughput() {
    }

    public static void main(final String[] args) {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        final int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 400_000;
        final ClassifierBenchmark bench = new ClassifierBenchmark();
        bench.setUp();
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        // Warm-up: let the JIT compile both paths before measuring.
        for (int i = 0; i < perRound; i++) {
            bench.classifyMessage();
            bench.classifyMessageWithoutSemanticTier();
        }
        final double[] rates = new double[rounds];
        final double[] reference = new double[rounds];
        final double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            // Interleaved rounds: both see the same machine load, so their ratio holds across runs.
            rates[r] = rate(threads, perRound, bench::classifyMessage);
            reference[r] = rate(threads, perRound, bench::classifyMessageWithoutSemanticTier);
            ratios[r] = rates[r] / reference[r];
            System.out.printf(Locale.ROOT, "round %d: %.0f messages per CPU-second; without the semantic tier %.0f "
                    + "(ratio %.3f)%n", r + 1, rates[r], reference[r], ratios[r]);
        }
        java.util.Arrays.sort(rates);
        java.util.Arrays.sort(reference);
        java.util.Arrays.sort(ratios);
        System.out.printf(Locale.ROOT, "median: %.0f messages per CPU-second on one thread; without the semantic tier "
                + "%.0f; ratio %.3f%n", rates[rounds / 2], reference[rounds / 2], ratios[rounds / 2]);
    }

    private static double rate(final ThreadMXBean threads, final int n,
                               final java.util.function.Supplier<dev.vigil.schema.MessageSignals> work) {
        final long cpu0 = threads.getCurrentThreadCpuTime();
        long sink = 0;
        for (int i = 0; i < n; i++) {
            sink += work.get().getTokenCount();
        }
        final double seconds = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
        return sink < 0 ? 0 : n / seconds;
    }
}
