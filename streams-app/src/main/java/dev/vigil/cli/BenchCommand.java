package dev.vigil.cli;

import dev.vigil.bench.BenchRunner;
import dev.vigil.bench.Machine;
import dev.vigil.bench.ProfileSummary;
import dev.vigil.bench.SoakVerdict;
import dev.vigil.bench.Stats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code vigil bench}: how much traffic one Vigil instance takes and how fast its outputs
 * arrive, measured against Kafka's own ceiling on the same broker in the same run. With
 * {@code --soak} it instead runs Vigil at half its measured capacity for a while and fails
 * (exit 1) if lag, heap after GC or state on disk keep growing.
 *
 * <p>It starts the local stack's broker process ({@code deploy/local/start.sh}, Kafka's jars
 * from Maven Central) on free ports, serves Vigil's embedded schema registry from this JVM, and
 * runs {@code vigil run} as a child JVM for each measurement; everything it started is stopped
 * before it returns.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmark Vigil on a local broker, or soak it.",
            "Measures Vigil against Kafka's own ceiling on a local broker process, or with --soak runs it for a "
                    + "while and judges growth. Prints median, min and max over --repeats runs of each figure."})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--repeats", defaultValue = "3", description = "Runs of each figure (default: ${DEFAULT-VALUE}).")
    int repeats;

    // Sized for today's Vigil (about 45 records/s here): a repeat of (b) takes about 90 s.
    @Option(names = "--records", defaultValue = "4000",
            description = "Simulated events pre-loaded for each end-to-end run (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--perf-records", defaultValue = "200000",
            description = "Records for Kafka's ProducerPerformance/ConsumerPerformance (default: ${DEFAULT-VALUE}).")
    long perfRecords;

    @Option(names = "--rates", split = ",", defaultValue = "25,50,75",
            description = "Fixed loads, in percent of the measured end-to-end maximum (default: ${DEFAULT-VALUE}).")
    List<Double> ratePercents;

    @Option(names = "--phase", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long each fixed load runs (default: ${DEFAULT-VALUE}).")
    Duration phase;

    @Option(names = "--warm-up", defaultValue = "10s", converter = DurationConverter.class,
            description = "Uncounted traffic before the fixed loads, at the first load (default: ${DEFAULT-VALUE}).")
    Duration warmUp;

    @Option(names = "--partitions", defaultValue = "3", description = "Partitions of every topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the simulated traffic (default: ${DEFAULT-VALUE}).")
    long seed;

    // The collector the vigil script and the image run with, so the bench measures what ships.
    @Option(names = "--vigil-jvm", split = " ", defaultValue = "-Xmx1g -XX:+UseParallelGC",
            description = "JVM options of the vigil run child (default: ${DEFAULT-VALUE}).")
    List<String> vigilJvm;

    @Option(names = "--run-flag", paramLabel = "FLAG",
            description = "Extra flag for every vigil run child (repeatable), e.g. --run-flag=--commit-interval=200ms "
                    + "(default: none, so Vigil runs with the defaults of vigil run).")
    List<String> runFlags = new ArrayList<>();

    @Option(names = "--profile", description = "Also record one extra, uncounted end-to-end run with JFR and print where its CPU time went.")
    boolean profile;

    @Option(names = "--soak", converter = DurationConverter.class,
            description = "Soak instead: run at half the measured capacity for this long (e.g. 10m) and judge growth.")
    Duration soak;

    @Option(names = "--soak-rate", description = "Events per second of the soak (default: half of one measured end-to-end run).")
    Double soakRate;

    @Option(names = "--sample-every", defaultValue = "10s", converter = DurationConverter.class,
            description = "Soak sampling interval (default: ${DEFAULT-VALUE}).")
    Duration sampleEvery;

    @Option(names = "--work-dir", description = "Where broker data and Vigil state go (default: a temporary directory, deleted after).")
    Path workDir;

    @Option(names = "--repo-root", description = "The Vigil repository (for deploy/local; default: found from the working directory).")
    Path repoRoot;

    @Override
    public Integer call() throws Exception {
        final PrintStream out = System.out;
        final Path root = repoRoot != null ? repoRoot : findRepoRoot();
        final boolean temporary = workDir == null;
        final Path work = temporary ? Files.createTempDirectory("vigil-bench") : Files.createDirectories(workDir);
        out.println("machine: " + Machine.describe());
        out.println("vigil run child JVM: " + String.join(" ", vigilJvm) + "; flags: "
                + (runFlags.isEmpty() ? "vigil run's defaults" : String.join(" ", runFlags)) + "; partitions " + partitions
                + "; broker: deploy/local (Kafka 4.1.2 process, KRaft, one node); schema registry: Vigil's embedded one");
        try (BenchRunner runner = new BenchRunner(root, work, partitions, vigilJvm, runFlags, out)) {
            // Ctrl-C or a timeout's SIGTERM: still stop the broker and the Vigil children.
            final Thread cleanup = new Thread(() -> {
                try {
                    runner.close();
                } catch (final Exception e) {
                    System.err.println("vigil bench: cleanup failed: " + e.getMessage());
                }
            }, "vigil-bench-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);
            out.println("broker " + runner.bootstrapServers() + " (pid " + runner.brokerPid() + "), registry "
                    + runner.registryUrl());
            return soak != null ? soak(runner, out) : benchmark(runner, work, out);
        } finally {
            if (temporary) {
                deleteRecursively(work);
            }
        }
    }

    private int benchmark(final BenchRunner runner, final Path work, final PrintStream out) throws Exception {
        final int size = (int) Math.round(runner.meanFramedEventSize(5_000, seed));
        out.printf(Locale.ROOT, "record size: %d bytes (mean Confluent-framed Avro value of 5000 simulated events)%n", size);

        out.println("(a) Kafka's ceiling: ProducerPerformance, ConsumerPerformance, " + perfRecords + " records of "
                + size + " bytes");
        final List<Double> produce = new ArrayList<>();
        final List<Double> consume = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            final double[] ceiling = runner.kafkaCeiling(perfRecords, size);
            produce.add(ceiling[0]);
            consume.add(ceiling[1]);
            out.printf(Locale.ROOT, "  run %d: produce %,.0f records/s, consume %,.0f records/s%n", i + 1, ceiling[0], ceiling[1]);
        }

        out.println("(b) Vigil end to end over " + records + " pre-loaded simulated events (first signal visible to"
                + " last source offset committed)");
        final List<Double> vigil = new ArrayList<>();
        final List<Double> warm = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            final BenchRunner.EndToEnd run = runner.endToEnd(records, seed + i, List.of());
            final double rate = run.rate();
            vigil.add(rate);
            warm.add(run.secondHalfRate());
            out.printf(Locale.ROOT, "  run %d: %,.0f records/s (%.1f%% of the produce ceiling's median)%n",
                    i + 1, rate, 100 * rate / Stats.spread(produce).median());
        }
        if (profile) {
            // An extra run, not counted: JFR's sampling costs a little.
            final Path jfr = work.resolve("vigil-e2e.jfr");
            final double rate = runner.endToEnd(records, seed, List.of("-XX:+FlightRecorder",
                    "-XX:StartFlightRecording=filename=" + jfr + ",settings=profile")).rate();
            out.printf(Locale.ROOT, "  profiled run (JFR, not counted): %,.0f records/s%n", rate);
            ProfileSummary.print(jfr, out, 15);
        }
        final double max = Stats.spread(vigil).median();

        out.printf(Locale.ROOT, "(c) Vigil at fixed loads (%s%% of %,.0f records/s), %s each after a %s warm-up;"
                        + " latency = visible to a read_committed consumer minus event time (= scheduled produce time)%n",
                ratePercents, max, phase, warmUp);
        final List<List<BenchRunner.RatePhase>> phases = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            final List<Double> rates = ratePercents.stream().map(p -> max * p / 100).toList();
            final List<BenchRunner.RatePhase> run = runner.fixedRates(rates, phase, warmUp, seed + 100 + 10L * i);
            phases.add(run);
            for (final BenchRunner.RatePhase p : run) {
                out.printf(Locale.ROOT, "  run %d @ %,.0f/s (sent %,.0f/s): signals %d/%d%s p50 %.0f p99 %.0f max %.0f ms;"
                                + " referral alerts %d p50 %.0f p99 %.0f max %.0f ms%n", i + 1, p.targetRate(), p.achievedRate(),
                        p.signals(), p.sent(), p.duplicates() == 0 ? "" : " (" + p.duplicates() + " signalled more than once)",
                        p.signalP50(), p.signalP99(), p.signalMax(), p.alerts(), p.alertP50(), p.alertP99(), p.alertMax());
            }
        }

        out.println();
        out.println("summary (median over " + repeats + " runs, min, max):");
        final Stats.Spread p = Stats.spread(produce);
        out.println("  Kafka ProducerPerformance:  " + p.format("records/s"));
        out.println("  Kafka ConsumerPerformance:  " + Stats.spread(consume).format("records/s"));
        final Stats.Spread v = Stats.spread(vigil);
        out.println("  Vigil end to end:           " + v.format("records/s"));
        out.println("  signals, second half:       " + Stats.spread(warm).format("records/s"));
        final double ratio = v.median() / p.median();
        out.printf(Locale.ROOT, "  Vigil / produce ceiling:    %.1f%% (goal >= 40%%: %s)%n", 100 * ratio, ratio >= 0.4 ? "met" : "NOT met");
        for (int r = 0; r < ratePercents.size(); r++) {
            final int index = r;
            final Stats.Spread sp50 = Stats.spread(phases.stream().map(run -> run.get(index).signalP50()).toList());
            final Stats.Spread sp99 = Stats.spread(phases.stream().map(run -> run.get(index).signalP99()).toList());
            final Stats.Spread smax = Stats.spread(phases.stream().map(run -> run.get(index).signalMax()).toList());
            final Stats.Spread ap50 = Stats.spread(phases.stream().map(run -> run.get(index).alertP50()).filter(d -> !d.isNaN()).toList());
            final Stats.Spread ap99 = Stats.spread(phases.stream().map(run -> run.get(index).alertP99()).filter(d -> !d.isNaN()).toList());
            final Stats.Spread amax = Stats.spread(phases.stream().map(run -> run.get(index).alertMax()).filter(d -> !d.isNaN()).toList());
            final int alerts = phases.stream().mapToInt(run -> run.get(index).alerts()).sum();
            out.printf(Locale.ROOT, "  at %.0f%% (%,.0f/s): event->signal p50 %s, p99 %s, max %s%n", ratePercents.get(r),
                    max * ratePercents.get(r) / 100, sp50.format("ms"), sp99.format("ms"), smax.format("ms"));
            out.printf(Locale.ROOT, "  at %.0f%%: reply->referral alert (%d alerts) p50 %s, p99 %s, max %s%s%n", ratePercents.get(r),
                    alerts, ap50.format("ms"), ap99.format("ms"), amax.format("ms"),
                    ratePercents.get(r) != 50 ? "" : alerts == 0 ? " (goal p99 < 1 s: not measured, no alerts)"
                            : ap99.median() < 1000 ? " (goal p99 < 1 s: met)" : " (goal p99 < 1 s: NOT met)");
        }
        return 0;
    }

    private int soak(final BenchRunner runner, final PrintStream out) throws Exception {
        double rate;
        if (soakRate != null) {
            rate = soakRate;
        } else {
            final double capacity = runner.endToEnd(records, seed, List.of()).rate();
            out.printf(Locale.ROOT, "capacity: %,.0f records/s end to end (one run of %d pre-loaded events)%n", capacity, records);
            rate = capacity / 2;
        }
        out.printf(Locale.ROOT, "soak: %,.0f events/s for %s with short windows (%s), sampling every %s%n", rate, soak,
                String.join(" ", BenchRunner.SHORT_WINDOWS), sampleEvery);
        final BenchRunner.SoakRun run = runner.soak(rate, soak, sampleEvery, seed + 1000);
        final SoakVerdict.Result verdict = SoakVerdict.judge(run.samples(), rate);
        verdict.findings().forEach(f -> out.println("  " + f));
        out.println(verdict.steady() ? "soak: steady" : "soak: GROWTH beyond what the windows explain");
        run.findings().forEach(f -> out.println("  " + f));
        out.println(run.exact() ? "soak: every event once, aggregates add up"
                : "soak: OUTPUTS WRONG (events lost or doubled, or aggregates that do not add up)");
        return verdict.steady() && run.exact() ? 0 : 1;
    }

    private static Path findRepoRoot() {
        final String property = System.getProperty("vigil.repo.root");
        if (property != null) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isExecutable(p.resolve("deploy/local/start.sh"))) {
                return p;
            }
        }
        throw new IllegalArgumentException("cannot find deploy/local/start.sh above the working directory; give --repo-root");
    }

    private static void deleteRecursively(final Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (final Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
