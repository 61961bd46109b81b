package dev.vigil.aggregate;

import dev.vigil.config.MonitoringConfig;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.stream.JsonSerde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two-phase aggregate: each input task counts its own contributions and sends one partial per
 * cell and window; the merged cells must be exactly what one task fed every contribution would
 * have counted, late contributions left out the same way, however the input tasks' records
 * interleave on the way to the merging task.
 */
class TwoPhaseAggregateTest {
    private static final long MINUTE = 60_000;
    private static final long T0 = 1_767_225_600_000L;
    private static final int TASKS = 3;
    private static final Duration GRACE = Duration.ofMinutes(2);
    private static final TimeWindows FIVE = TimeWindows.ofSizeAndGrace(Duration.ofMinutes(5), GRACE);
    private static final TimeWindows HOUR = TimeWindows.ofSizeAndGrace(Duration.ofHours(1), GRACE)
            .advanceBy(Duration.ofMinutes(15));
    private static final MonitoringConfig CONFIG = MonitoringConfig.defaults();
    private static final JsonSerde<CellAccumulator> COUNTS = new JsonSerde<>(CellAccumulator.class);

    /** One input task's contribution: when it happened and what its sender's stream time was then. */
    private record Sent(int task, Contribution c, long timestamp) {
    }

    @Test
    void shouldMergeEveryTasksPartialsIntoTheCountsOfOneTaskWhateverTheInterleavingOrRestarts() {
        for (int seed = 1; seed <= 6; seed++) {
            final Random random = new Random(seed);
            final List<Sent> input = traffic(random);
            final Map<String, String> expected = reference(input);
            assertTrue(expected.size() > 50, "the traffic fills many cell windows");

            // Even seeds restart each task once from its log; every third holds little on the heap, so
            // the tasks send their windows early, in several parts.
            final Map<String, String> merged = twoPhase(input, random, seed % 2 == 0, seed % 3 == 0 ? 60 : 2_000_000);

            final java.util.Set<String> missing = new java.util.TreeSet<>(expected.keySet());
            missing.removeAll(merged.keySet());
            final java.util.Set<String> extra = new java.util.TreeSet<>(merged.keySet());
            extra.removeAll(expected.keySet());
            assertTrue(missing.isEmpty() && extra.isEmpty(), "seed " + seed + ": missing " + missing.size() + " "
                    + missing.stream().limit(3).toList() + ", extra " + extra.size() + " " + extra.stream().limit(3).toList());
            for (final String window : expected.keySet()) {
                assertEquals(expected.get(window), merged.get(window), "seed " + seed + ": " + window);
            }
        }
    }

    @Test
    void shouldSendOnePartialPerCellAndWindowNotOnePerMessage() {
        final Phase1 task = new Phase1(0);
        for (int i = 0; i < 500; i++) {
            task.process(contribution(i % 6, "en", false), T0 + i * 100);
        }
        task.process(contribution(1, "en", false), T0 + 20 * MINUTE);

        final List<CellPartial> partials = task.context.forwarded().stream().map(f -> (CellPartial) f.record().value())
                .filter(p -> !p.progressOnly).toList();
        // By minute 20 (grace 2) the 5-minute window [0, 5) and the hour [-45, 15) have closed.
        // Seven cells: all, two categories, one language, three models.
        assertEquals(2 * 7, partials.size(), "one partial per cell and closed window, not 500 per cell");
        final CellPartial all = partials.stream()
                .filter(p -> p.windowEnd - p.windowStart == 5 * MINUTE && p.counts.accounts.count() == 6)
                .filter(p -> p.counts.messages == 500).findFirst().orElseThrow();
        assertEquals(T0, all.windowStart);
        // The hours only the alerts judge carry counts, not sets of ids.
        assertTrue(partials.stream().filter(p -> p.windowEnd - p.windowStart == 60 * MINUTE)
                .allMatch(p -> p.counts.messages > 0 && p.counts.accounts.count() == 0
                        && p.counts.conversations.count() == 0), "hour partials hold no ids");
    }

    @Test
    void shouldSendWhatItHoldsWhenItFallsQuietSoReadersNeedNotWaitForIt() {
        final Phase1 task = new Phase1(0);
        task.process(contribution(1, "en", false), T0 + MINUTE);
        task.context.forwarded().clear();

        task.quiet();

        final List<CellPartial> sent = task.context.forwarded().stream().map(f -> (CellPartial) f.record().value()).toList();
        assertEquals(4 * (1 + 4), sent.stream().filter(p -> !p.progressOnly).count(), "every open cell window");
        final CellPartial last = sent.get(sent.size() - 1);
        assertTrue(last.progressOnly && last.sourceIdle, "then the quiet report, after the counts it covers");
        // Windows still open go out early, but their records carry no time an event has not
        // reached: a reader takes a record's time as its stream time, and would end its
        // conversations and close its windows on it.
        task.context.forwarded().forEach(f -> assertTrue(f.record().timestamp() <= T0 + MINUTE,
                "record time " + f.record().timestamp() + " is past the last event's " + (T0 + MINUTE)));
    }

    @Test
    void shouldMakeTheMergingTaskWaitAgainForATaskThatFellQuietAndCameBack() {
        final List<Phase1> tasks = List.of(new Phase1(0), new Phase1(1), new Phase1(2));
        final Map<String, String> merged = new TreeMap<>();
        final Phase2 reader = new Phase2(FIVE, merged);
        final String window = T0 + "-" + (T0 + 5 * MINUTE) + "|all=all";
        for (final Phase1 t : tasks) {
            t.process(contribution(t.hashCode() % 7, "en", false), T0 + 3 * MINUTE);
        }
        // Task 0 falls quiet: it sends what it holds, and the reader stops waiting for it.
        tasks.get(0).quiet();
        deliver(tasks.get(0), reader);
        // It comes back with an older message for the same 5-minute window (its stream time does
        // not move, so no progress record is due), and holds it.
        tasks.get(0).process(contribution(1, "en", false), T0 + 2 * MINUTE);
        deliver(tasks.get(0), reader);
        // The other two pass the window's end plus grace.
        for (final Phase1 t : tasks.subList(1, 3)) {
            t.process(contribution(2, "en", false), T0 + 10 * MINUTE);
            deliver(t, reader);
        }
        assertTrue(!merged.containsKey(window), "the window waits for the task that came back");

        tasks.get(0).process(contribution(3, "en", false), T0 + 10 * MINUTE);
        deliver(tasks.get(0), reader);

        final CellAccumulator all = COUNTS.deserializer().deserialize("", merged.get(window).getBytes());
        assertEquals(4, all.messages, "both of task 0's messages, and one from each other task");
    }

    @Test
    void shouldLogAContributionPackedAndReadItBackUnchanged() {
        final JsonSerde<Contribution> json = new JsonSerde<>(Contribution.class);
        for (final boolean pushback : new boolean[] {false, true}) {
            final Contribution c = contribution(11, "de", pushback);
            c.sentimentShift = pushback ? -0.25 : null;
            c.outcome = pushback ? "missed" : null;
            c.sourceTime = T0 + 7;
            c.at = T0 + 3;
            final byte[] packed = ContributionCodec.write(c);
            assertEquals(new String(json.serializer().serialize("", c)),
                    new String(json.serializer().serialize("", ContributionCodec.read(packed))));
            assertTrue(packed.length < 120, "packed in " + packed.length + " bytes");
        }
        final Contribution mark = new Contribution();
        mark.sourceTime = T0;
        assertEquals(T0, ContributionCodec.read(ContributionCodec.write(mark)).sourceTime);
    }

    private static void deliver(final Phase1 from, final Phase2 to) {
        for (final var f : from.context.forwarded()) {
            f.record().value().sources = TASKS;
            to.process(new Record<>(f.record().key(), f.record().value(), f.record().timestamp()));
        }
        from.context.resetForwards();
    }

    private static Contribution contribution(final int account, final String language, final boolean pushback) {
        final Contribution c = new Contribution();
        c.kind = Contribution.Kind.MESSAGE;
        c.human = !pushback;
        c.accountHash = account * 0x9E3779B97F4A7C15L;
        c.conversationHash = account * 31L + 7;
        c.category = account % 2 == 0 ? "support" : "general";
        c.model = "m" + account % 3;
        c.language = language;
        c.pushback = pushback;
        c.pushbackReason = pushback ? "policy" : null;
        c.sentimentScore = pushback ? null : (account % 5) / 5.0 - 0.4;
        c.crisisLevel = account % 11 == 0 ? "passive_ideation" : null;
        c.classifierVersion = "2.0.0";
        return c;
    }

    /** Three tasks' contributions over three hours, each task's times mostly rising, some out of order or late. */
    private static List<Sent> traffic(final Random random) {
        final List<Sent> all = new ArrayList<>();
        for (int task = 0; task < TASKS; task++) {
            long time = T0 + random.nextInt(10) * MINUTE;
            for (int i = 0; i < 400; i++) {
                time += random.nextInt(40_000);
                // Now and then one from minutes ago: within grace, or too late for its windows.
                final long at = random.nextInt(12) == 0 ? time - random.nextInt(9) * MINUTE : time;
                final Contribution c = contribution(random.nextInt(40), random.nextInt(9) == 0 ? "de" : "en",
                        random.nextInt(4) == 0);
                all.add(new Sent(task, c, at));
            }
        }
        return all;
    }

    /** What one task counting every contribution would hold: late when its own sender had passed the window's end plus grace. */
    private static Map<String, String> reference(final List<Sent> input) {
        final Map<String, CellAccumulator> cells = new TreeMap<>();
        final long[] senderTime = new long[TASKS];
        java.util.Arrays.fill(senderTime, Long.MIN_VALUE);
        for (final Sent s : input) {
            senderTime[s.task] = Math.max(senderTime[s.task], s.timestamp);
            for (final TimeWindows windows : List.of(FIVE, HOUR)) {
                // Only the published size counts distinct accounts and conversations.
                final boolean distinct = windows == FIVE;
                for (final var w : windows.windowsFor(s.timestamp).values()) {
                    if (w.end() + GRACE.toMillis() <= senderTime[s.task]) {
                        continue;
                    }
                    for (final String cell : s.c.cells()) {
                        cells.computeIfAbsent(w.start() + "-" + w.end() + "|" + cell, k -> new CellAccumulator())
                                .add(s.c, CONFIG.exactAccountCap(), distinct);
                    }
                }
            }
        }
        // Once every task has fallen quiet the readers go as far as the furthest got: windows
        // ending later stay open in both.
        final long watermark = java.util.Arrays.stream(senderTime).max().orElseThrow();
        final Map<String, String> json = new TreeMap<>();
        cells.forEach((k, v) -> {
            final long end = Long.parseLong(k.substring(k.indexOf('-') + 1, k.indexOf('|')));
            if (end + GRACE.toMillis() <= watermark) {
                json.put(k, new String(COUNTS.serializer().serialize("", v)));
            }
        });
        return json;
    }

    /** The same input through three first-phase tasks and one merging task per size, interleaved at random. */
    private static Map<String, String> twoPhase(final List<Sent> input, final Random random, final boolean restarts,
                                                final long maxWeight) {
        final List<Phase1> tasks = new ArrayList<>();
        for (int t = 0; t < TASKS; t++) {
            tasks.add(new Phase1(t, maxWeight));
        }
        // Each task restarts once from its log, at a random point.
        final int[] restartAt = new int[TASKS];
        for (int t = 0; t < TASKS; t++) {
            restartAt[t] = restarts ? random.nextInt(400) : -1;
        }
        final int[] seen = new int[TASKS];
        for (final Sent s : input) {
            if (seen[s.task]++ == restartAt[s.task]) {
                tasks.get(s.task).start();
            }
            tasks.get(s.task).process(s.c, s.timestamp);
        }
        tasks.forEach(Phase1::quiet);
        // Each sender's records arrive in the order it sent them; senders interleave at random.
        final List<Deque<Record<String, CellPartial>>> queues = new ArrayList<>();
        for (final Phase1 t : tasks) {
            final Deque<Record<String, CellPartial>> q = new ArrayDeque<>();
            t.context.forwarded().forEach(f -> {
                f.record().value().sources = TASKS;
                q.add(new Record<>(f.record().key(), f.record().value(), f.record().timestamp()));
            });
            queues.add(q);
        }
        final Map<String, String> merged = new TreeMap<>();
        final List<Phase2> readers = List.of(new Phase2(FIVE, merged), new Phase2(HOUR, merged));
        while (queues.stream().anyMatch(q -> !q.isEmpty())) {
            final Deque<Record<String, CellPartial>> q = queues.get(random.nextInt(TASKS));
            if (!q.isEmpty()) {
                final Record<String, CellPartial> r = q.poll();
                readers.forEach(p -> p.process(r));
            }
        }
        return merged;
    }

    private static <V> KeyValueStore<String, V> store(final MockProcessorContext<?, ?> context, final String name,
                                                      final org.apache.kafka.common.serialization.Serde<V> serde) {
        final KeyValueStore<String, V> s = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name),
                Serdes.String(), serde).withLoggingDisabled().build();
        s.init(context.getStateStoreContext(), s);
        context.addStateStore(s);
        return s;
    }

    private static File stateDir() {
        try {
            final File dir = Files.createTempDirectory("two-phase").toFile();
            dir.deleteOnExit();
            return dir;
        } catch (final java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A first-phase task on its own partition. */
    private static final class Phase1 {
        CellPartials processor;
        final MockProcessorContext<String, CellPartial> context;
        private long streamTime = -1;

        private final long maxWeight;

        Phase1(final int partition) {
            this(partition, 2_000_000);
        }

        Phase1(final int partition, final long maxWeight) {
            this.maxWeight = maxWeight;
            final Properties props = new Properties();
            props.put("application.id", "two-phase-test");
            props.put("bootstrap.servers", "unused:9092");
            context = new MockProcessorContext<>(props, new TaskId(0, partition), stateDir());
            context.setCurrentStreamTimeMs(-1);
            store(context, "partials", new ContributionCodec());
            start();
        }

        /** A new processor over the same store: what a task restarted from its changelog runs. */
        void start() {
            processor = new CellPartials(List.of(new CellPartials.Counted(FIVE, true),
                    new CellPartials.Counted(HOUR, false)), GRACE, "partials", CONFIG.exactAccountCap(), maxWeight,
                    Duration.ZERO, SafetyMetrics.noop());
            processor.init(context);
        }

        void process(final Contribution c, final long timestamp) {
            final Contribution copy = COUNTS_OF_CONTRIBUTION.deserializer().deserialize("",
                    COUNTS_OF_CONTRIBUTION.serializer().serialize("", c));
            // As in Kafka Streams, the task's stream time already includes the record being processed.
            streamTime = Math.max(streamTime, timestamp);
            context.setCurrentStreamTimeMs(streamTime);
            processor.process(new Record<>("conversation", copy, timestamp));
        }

        /** The task's quiet check, as its wall-clock punctuation runs it. */
        void quiet() {
            final var punctuators = context.scheduledPunctuators();
            punctuators.get(punctuators.size() - 1).getPunctuator().punctuate(0);
        }
    }

    private static final JsonSerde<Contribution> COUNTS_OF_CONTRIBUTION = new JsonSerde<>(Contribution.class);

    /** A merging task for one window size, recording each window's final counts. */
    private static final class Phase2 {
        final AggregateStage.CellWindows processor;
        final MockProcessorContext<Windowed<String>, Object> context = new MockProcessorContext<>();
        final Map<String, String> out;

        Phase2(final TimeWindows windows, final Map<String, String> out) {
            this.out = out;
            processor = new AggregateStage.CellWindows(windows, "cells", "progress", CONFIG, SafetyMetrics.noop(),
                    false, true);
            store(context, "cells", COUNTS);
            store(context, "progress", Serdes.String());
            processor.init(context);
        }

        void process(final Record<String, CellPartial> r) {
            // Over a topic each reader gets its own copy.
            final CellPartial copy = PARTIALS.deserializer().deserialize("", PARTIALS.serializer().serialize("", r.value()));
            processor.process(new Record<>(r.key(), copy, r.timestamp()));
            for (final var f : context.forwarded()) {
                final Windowed<String> w = f.record().key();
                final String key = w.window().start() + "-" + w.window().end() + "|" + w.key();
                final String counts = new String(COUNTS.serializer().serialize("", (CellAccumulator) f.record().value()));
                if (out.put(key, counts) != null) {
                    throw new AssertionError("window handed on twice: " + key);
                }
            }
            context.resetForwards();
        }
    }

    private static final JsonSerde<CellPartial> PARTIALS = new JsonSerde<>(CellPartial.class);
}
