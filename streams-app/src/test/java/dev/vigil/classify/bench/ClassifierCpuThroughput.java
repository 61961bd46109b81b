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
        // Warm-up: let the JIT compile the hot path before measuring.
        for (int i = 0; i < perRound; i++) {
            bench.classifyMessage();
        }
        final double[] rates = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            final long cpu0 = threads.getCurrentThreadCpuTime();
            long sink = 0;
            for (int i = 0; i < perRound; i++) {
                sink += bench.classifyMessage().getTokenCount();
            }
            final double seconds = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
            rates[r] = perRound / seconds;
            System.out.printf(Locale.ROOT, "round %d: %.0f messages per CPU-second (%d)%n", r + 1, rates[r], sink % 7);
        }
        java.util.Arrays.sort(rates);
        System.out.printf(Locale.ROOT, "median: %.0f messages per CPU-second on one thread%n", rates[rounds / 2]);
    }
}
