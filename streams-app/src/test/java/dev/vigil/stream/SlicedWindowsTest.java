package dev.vigil.stream;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Windows kept as slices must close with exactly what whole windows hold, record for record,
 * including the records a sender had already passed some windows with, and must leave nothing
 * behind once every window has closed.
 */
class SlicedWindowsTest {
    private static final long MINUTE = 60_000;
    private static final long T0 = 1_767_225_600_000L;

    /** A record from one sender: one sighting of a member. */
    public static final class Sighting extends Stamped {
        public String member;
    }

    private static String closedAs(final Windowed<String> w, final TreeMap<String, Integer> members) {
        return w.key() + "@" + (w.window().start() - T0) / MINUTE + "-" + (w.window().end() - T0) / MINUTE + "=" + members;
    }

    /** The reference: one aggregate per window, counting sightings per member. */
    private static final class Whole extends ProgressWindowProcessor<Sighting, TreeMap<String, Integer>, String, String> {
        final List<String> closed = new ArrayList<>();
        final List<String> late = new ArrayList<>();

        Whole(final TimeWindows windows) {
            super(windows, "windows", "progress");
        }

        @Override
        protected TreeMap<String, Integer> initial() {
            return new TreeMap<>();
        }

        @Override
        protected TreeMap<String, Integer> add(final String key, final Sighting s, final TreeMap<String, Integer> a) {
            a.merge(s.member, 1, Integer::sum);
            return a;
        }

        @Override
        protected void closed(final Windowed<String> w, final TreeMap<String, Integer> a) {
            closed.add(closedAs(w, a));
        }

        @Override
        protected void late(final Sighting s) {
            late.add(s.member);
        }
    }

    private static final class Sliced extends SlicedWindowProcessor<Sighting, Integer, TreeMap<String, Integer>, String, String> {
        final List<String> closed = new ArrayList<>();
        final List<String> late = new ArrayList<>();
        int overflowed;

        @Override
        protected void overflowed(final Sighting s) {
            overflowed++;
        }

        void cap(final int cap) {
            entryCap(cap);
        }

        Sliced(final TimeWindows windows) {
            super(windows, "windows", "progress");
        }

        @Override
        protected String entryKey(final Sighting s) {
            return s.member;
        }

        @Override
        protected Integer entry(final Sighting s) {
            return 1;
        }

        @Override
        protected Integer merge(final Integer entry, final Sighting s) {
            return entry + 1;
        }

        @Override
        protected TreeMap<String, Integer> initial() {
            return new TreeMap<>();
        }

        @Override
        protected TreeMap<String, Integer> combine(final TreeMap<String, Integer> a, final String member, final Integer n) {
            a.merge(member, n, Integer::sum);
            return a;
        }

        @Override
        protected void closed(final Windowed<String> w, final TreeMap<String, Integer> a) {
            closed.add(closedAs(w, a));
        }

        @Override
        protected void late(final Sighting s) {
            late.add(s.member);
        }
    }

    private static KeyValueStore<String, ?> init(final Processor<String, Sighting, String, String> p, final boolean objects) {
        final MockProcessorContext<String, String> context = new MockProcessorContext<>();
        final KeyValueStore<String, ?> windows = objects
                ? Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("windows"), Serdes.String(), Serdes.Integer())
                        .withLoggingDisabled().build()
                : Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("windows"), Serdes.String(), new JsonSerde<>(TreeMap.class))
                        .withLoggingDisabled().build();
        final KeyValueStore<String, String> progress = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("progress"),
                Serdes.String(), Serdes.String()).withLoggingDisabled().build();
        windows.init(context.getStateStoreContext(), windows);
        progress.init(context.getStateStoreContext(), progress);
        context.addStateStore(windows);
        context.addStateStore(progress);
        p.init(context);
        return windows;
    }

    /** Two senders, a few buckets and members, shuffled, some records behind their sender's clock. */
    private static List<Record<String, Sighting>> traffic(final long seed) {
        final Random random = new Random(seed);
        final List<List<Record<String, Sighting>>> bySender = new ArrayList<>();
        for (int source = 0; source < 2; source++) {
            final List<Record<String, Sighting>> out = new ArrayList<>();
            long clock = 0;
            for (int i = 0; i < 300; i++) {
                clock += random.nextInt(40_000);
                // One in ten is behind: up to 12 minutes, so some windows of it are passed.
                final long time = random.nextInt(10) == 0 ? Math.max(0, clock - random.nextInt(12) * MINUTE) : clock;
                final Sighting s = new Sighting();
                s.member = "m" + random.nextInt(6);
                s.source = source;
                s.sources = 2;
                s.sourceTime = T0 + clock;
                out.add(new Record<>("b" + random.nextInt(3), s, T0 + time));
                if (random.nextInt(8) == 0) {
                    final Sighting p = new Sighting();
                    p.progressOnly = true;
                    p.source = source;
                    p.sources = 2;
                    p.sourceTime = T0 + clock;
                    out.add(new Record<>(ProgressStamper.PROGRESS_KEY, p, T0 + clock));
                }
            }
            final Sighting end = new Sighting();
            end.progressOnly = true;
            end.source = source;
            end.sources = 2;
            end.sourceTime = T0 + clock + 24 * 60 * MINUTE;
            out.add(new Record<>(ProgressStamper.PROGRESS_KEY, end, end.sourceTime));
            bySender.add(out);
        }
        // Interleave the senders at random, each in its own order (a partition's order).
        final List<Record<String, Sighting>> mixed = new ArrayList<>();
        final int[] next = new int[2];
        while (next[0] < bySender.get(0).size() || next[1] < bySender.get(1).size()) {
            final int s = next[0] >= bySender.get(0).size() ? 1 : next[1] >= bySender.get(1).size() ? 0 : random.nextInt(2);
            mixed.add(bySender.get(s).get(next[s]++));
        }
        return mixed;
    }

    private static void check(final TimeWindows windows, final long seed) {
        final Whole whole = new Whole(windows);
        init(whole, false);
        final Sliced sliced = new Sliced(windows);
        final KeyValueStore<String, ?> slices = init(sliced, true);
        for (final Record<String, Sighting> r : traffic(seed)) {
            whole.process(r);
            sliced.process(r);
        }
        assertFalse(whole.closed.isEmpty());
        assertEquals(whole.closed, sliced.closed, "seed " + seed);
        assertEquals(whole.late.size(), sliced.late.size(), "the same windows missed, seed " + seed);
        try (KeyValueIterator<String, ?> it = slices.all()) {
            assertFalse(it.hasNext(), "every slice is deleted once its last window has closed");
        }
    }

    @Test
    void shouldCloseWhatWholeWindowsCloseWhenTheAdvanceDividesTheSize() {
        for (long seed = 1; seed <= 20; seed++) {
            check(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(8), Duration.ofMinutes(1)).advanceBy(Duration.ofMinutes(2)), seed);
        }
    }

    @Test
    void shouldCloseWhatWholeWindowsCloseOnSlicesFinerThanTheAdvance() {
        // Size 5, advance 2: slices of one minute, windows starting between them.
        for (long seed = 1; seed <= 20; seed++) {
            check(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(5), Duration.ofMinutes(1)).advanceBy(Duration.ofMinutes(2)), seed);
        }
    }

    @Test
    void shouldCloseWhatWholeWindowsCloseOnTumblingWindows() {
        for (long seed = 1; seed <= 10; seed++) {
            check(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(4), Duration.ofMinutes(1)), seed);
        }
    }

    @Test
    void shouldKeepAtMostTheCapOfNewEntriesPerKeyAndSliceAndCountTheRest() {
        final Sliced p = new Sliced(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(4), Duration.ofMinutes(1)).advanceBy(Duration.ofMinutes(2)));
        init(p, true);
        p.cap(3);
        // A flood of 40 distinct members into one key within one slice, and one member seen again.
        for (int i = 0; i < 40; i++) {
            final Sighting s = new Sighting();
            s.member = "m" + (100 + i);
            s.source = 0;
            s.sources = 1;
            s.sourceTime = T0 + 30_000 + i;
            p.process(new Record<>("flooded", s, T0 + 30_000 + i));
        }
        final Sighting again = new Sighting();
        again.member = "m100";
        again.source = 0;
        again.sources = 1;
        again.sourceTime = T0 + 50_000;
        p.process(new Record<>("flooded", again, T0 + 50_000));
        final Sighting quiet = new Sighting();
        quiet.member = "m1";
        quiet.source = 0;
        quiet.sources = 1;
        quiet.sourceTime = T0 + 50_000;
        p.process(new Record<>("quiet", quiet, T0 + 50_000));
        final Sighting end = new Sighting();
        end.progressOnly = true;
        end.source = 0;
        end.sources = 1;
        end.sourceTime = T0 + 60 * MINUTE;
        p.process(new Record<>(ProgressStamper.PROGRESS_KEY, end, end.sourceTime));
        assertEquals(37, p.overflowed, "every member past the cap is counted");
        assertEquals(List.of("flooded@-2-2={m100=2, m101=1, m102=1}", "quiet@-2-2={m1=1}",
                "flooded@0-4={m100=2, m101=1, m102=1}", "quiet@0-4={m1=1}"), p.closed,
                "a known member still counts; another key is not held back by the flooded one");
    }
}
