package dev.vigil.stream;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reading side of event-time progress on its own, with two sending tasks: what a window holds
 * must not depend on which sender ran ahead (a catch-up, a replay, a restart).
 */
class ProgressWindowsTest {
    private static final long MINUTE = 60_000;
    private static final long T0 = 1_767_225_600_000L;

    /** A record from one sender: how many, stamped with the sender's progress. */
    public static final class Count extends Stamped {
        public long n;
    }

    /** Counts per key and 5-minute tumbling window, grace 1 minute; closed windows are recorded. */
    private static final class Counting extends ProgressWindowProcessor<Count, Long, String, Long> {
        final List<String> closed = new ArrayList<>();

        Counting() {
            super(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(5), Duration.ofMinutes(1)), "windows", "progress");
        }

        @Override
        protected Long initial() {
            return 0L;
        }

        @Override
        protected Long add(final String key, final Count value, final Long aggregate) {
            return aggregate + value.n;
        }

        @Override
        protected void closed(final Windowed<String> window, final Long aggregate) {
            closed.add(window.key() + "@" + (window.window().start() - T0) / MINUTE + "=" + aggregate);
        }
    }

    private static Counting processor() {
        final Counting p = new Counting();
        final MockProcessorContext<String, Long> context = new MockProcessorContext<>();
        final KeyValueStore<String, Long> windows = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("windows"),
                Serdes.String(), Serdes.Long()).withLoggingDisabled().build();
        final KeyValueStore<String, String> progress = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("progress"),
                Serdes.String(), Serdes.String()).withLoggingDisabled().build();
        windows.init(context.getStateStoreContext(), windows);
        progress.init(context.getStateStoreContext(), progress);
        context.addStateStore(windows);
        context.addStateStore(progress);
        p.init(context);
        return p;
    }

    private static void data(final Counting p, final int source, final long minute, final long sourceMinute) {
        final Count c = new Count();
        c.n = 1;
        c.source = source;
        c.sources = 2;
        c.sourceTime = T0 + sourceMinute * MINUTE;
        p.process(new Record<>("cell", c, T0 + minute * MINUTE));
    }

    private static void progress(final Counting p, final int source, final long minute, final boolean idle) {
        final Count c = new Count();
        c.progressOnly = true;
        c.source = source;
        c.sources = 2;
        c.sourceTime = T0 + minute * MINUTE;
        c.sourceIdle = idle;
        p.process(new Record<>(ProgressStamper.PROGRESS_KEY, c, T0 + minute * MINUTE));
    }

    @Test
    void shouldKeepAWindowOpenForASlowSenderAfterAFastOneRanHoursAhead() {
        final Counting p = processor();
        data(p, 0, 1, 1);
        // Sender 0 races three hours ahead (a catch-up): Kafka Streams' own window would close.
        progress(p, 0, 180, false);
        assertTrue(p.closed.isEmpty(), "nothing closes while sender 1 has not been heard from: " + p.closed);
        // Sender 1 is still at minute 2 and sends two records for the first window.
        data(p, 1, 2, 2);
        data(p, 1, 3, 3);
        assertTrue(p.closed.isEmpty(), "sender 1 has not passed the first window's end plus grace: " + p.closed);
        progress(p, 1, 6, false);
        assertEquals(List.of("cell@0=3"), p.closed, "closed once both passed 5 + 1 minutes, with every record");
    }

    @Test
    void shouldGiveTheSameWindowsWhicheverSenderRanAhead() {
        final Counting fastFirst = processor();
        data(fastFirst, 0, 1, 1);
        data(fastFirst, 0, 7, 7);
        progress(fastFirst, 0, 20, false);
        data(fastFirst, 1, 4, 4);
        data(fastFirst, 1, 8, 8);
        progress(fastFirst, 1, 20, false);

        final Counting slowFirst = processor();
        data(slowFirst, 1, 4, 4);
        data(slowFirst, 1, 8, 8);
        progress(slowFirst, 1, 20, false);
        data(slowFirst, 0, 1, 1);
        data(slowFirst, 0, 7, 7);
        progress(slowFirst, 0, 20, false);

        assertEquals(List.of("cell@0=2", "cell@5=2"), fastFirst.closed);
        assertEquals(fastFirst.closed, slowFirst.closed);
    }

    @Test
    void shouldDropOnlyWhatItsOwnSenderHadAlreadyPassed() {
        final Counting p = processor();
        data(p, 0, 1, 1);
        // Sender 0 had reached minute 9 when it sent a record of minute 2: late by its own clock
        // (window end 5 + grace 1 <= 9), whatever sender 1 does.
        data(p, 0, 2, 9);
        progress(p, 1, 9, false);
        assertEquals(List.of("cell@0=1"), p.closed);
    }

    @Test
    void shouldStopWaitingForAnIdleSenderAndFollowTheBusiestWhenAllAreIdle() {
        final Counting p = processor();
        progress(p, 1, 0, true);
        data(p, 0, 1, 1);
        progress(p, 0, 12, false);
        assertEquals(List.of("cell@0=1"), p.closed, "sender 1 is idle: sender 0 alone decides");
        data(p, 0, 11, 12);
        progress(p, 0, 14, true);
        assertEquals(List.of("cell@0=1"), p.closed, "both idle: up to the furthest (14 - 1), window 10-15 stays open");
        progress(p, 0, 17, true);
        assertEquals(List.of("cell@0=1", "cell@10=1"), p.closed);
    }
}
