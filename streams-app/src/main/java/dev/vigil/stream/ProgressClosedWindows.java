package dev.vigil.stream;

import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.internals.TimeWindow;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.util.Map;

/**
 * Hopping windows closed by event-time progress ({@link SourceProgress}) instead of the reading
 * task's own stream time: a window's final value is handed on once every sending task has passed
 * its end plus grace, so it holds exactly the records whose sender had not yet passed that point
 * when sending them, however the sending tasks were scheduled. That is what makes a
 * multi-partition replay or a restart give the same aggregates record for record.
 *
 * <p>How the windows are kept is the subclass's: whole aggregates per window
 * ({@link ProgressWindowProcessor}) or entries per slice of the window grid, read together when a
 * window closes ({@link SlicedWindowProcessor}). This class decides which windows a record counts
 * in and when windows close; closing hands them on in (end, start, key) order, then the new
 * watermark to {@link #advanced}. Records whose window had already closed are counted in
 * {@link #late} and not added: that happens only when a sender went idle and came back with old
 * records, or the sender itself had passed the window (Kafka Streams' own notion of late).
 */
public abstract class ProgressClosedWindows<V extends Stamped, KOut, VOut> implements Processor<String, V, KOut, VOut> {
    protected final TimeWindows windows;
    protected final long graceMs;
    private final SourceProgress progress;
    private ProcessorContext<KOut, VOut> context;
    /** The last watermark handed to {@link #advanced}, so it hears each change once. */
    private long announced = SourceProgress.NONE;

    protected ProgressClosedWindows(final TimeWindows windows, final String progressStore) {
        this.windows = windows;
        this.graceMs = windows.gracePeriodMs();
        this.progress = new SourceProgress(progressStore);
    }

    @Override
    public void init(final ProcessorContext<KOut, VOut> context) {
        this.context = context;
        progress.init(context);
    }

    protected ProcessorContext<KOut, VOut> context() {
        return context;
    }

    /** Adds a data record to the windows it counts in ({@link #counts}); the others are {@link #late}. */
    protected abstract void count(Record<String, V> record);

    /**
     * Hands on every window ending after {@code after} ({@link SourceProgress#NONE} when none has
     * closed yet) and at or before {@code through}, and forgets them.
     */
    protected abstract void closeEnded(long after, long through);

    /** Every window ending at or before {@code watermark - grace} has been closed. */
    protected void advanced(final long watermark, final int sources) {
    }

    /** A record that came after its window closed (one call per window missed). */
    protected void late(final V value) {
    }

    /**
     * The windows {@code record} counts in, by start: every window holding its timestamp, unless
     * the record is itself a window's partial count from a sender that aggregates first.
     */
    protected Map<Long, TimeWindow> windowsOf(final Record<String, V> record) {
        return windows.windowsFor(record.timestamp());
    }

    /**
     * Whether {@code value} counts in the window ending at {@code end}: not if that window has
     * closed, nor if its sender had already passed the window's end plus grace when sending it
     * (decided by the record alone, so every run decides the same).
     */
    protected boolean counts(final long end, final V value) {
        return end + graceMs > value.sourceTime && end > progress.closedThrough();
    }

    @Override
    public void process(final Record<String, V> record) {
        final V v = record.value();
        if (v == null) {
            return;
        }
        final boolean moved = progress.observe(v);
        if (!v.progressOnly) {
            count(record);
        }
        if (moved) {
            closeDue();
        }
    }

    private void closeDue() {
        final long watermark = progress.watermark();
        if (watermark == SourceProgress.NONE) {
            return;
        }
        final long through = watermark - graceMs;
        // Windows end on a grid (start multiple of advance, plus size): close only when the
        // watermark crossed one of those ends. Closing writes the object cache's changes down
        // first, so closing on every progress record cost more than everything else together.
        if (through > progress.closedThrough() && firstEndAfter(progress.closedThrough()) > through) {
            progress.closedThrough(through);
        } else if (through > progress.closedThrough()) {
            closeEnded(progress.closedThrough(), through);
            progress.closedThrough(through);
        }
        if (watermark > announced) {
            announced = watermark;
            advanced(watermark, progress.sources());
        }
    }

    /** The first window end after {@code time}; at most {@code time + 1} when there is nothing to go on. */
    private long firstEndAfter(final long time) {
        if (time == SourceProgress.NONE || time < windows.sizeMs) {
            return Math.min(time, Long.MAX_VALUE - 1) + 1; // near the epoch or unknown: always close
        }
        return endAfter(time);
    }

    /**
     * The end of the first window holding time {@code t}, i.e. the first window end after it
     * (windows start at 0 or later, as Kafka's).
     */
    protected long endAfter(final long t) {
        return Math.max(windows.sizeMs,
                (Math.floorDiv(t - windows.sizeMs, windows.advanceMs) + 1) * windows.advanceMs + windows.sizeMs);
    }

    /** Everything at or before this event time has been closed ({@link SourceProgress#NONE}: nothing yet). */
    protected long closedThrough() {
        return progress.closedThrough();
    }

    protected static String pad(final long millis) {
        return SortableKeys.time(millis);
    }

    /**
     * The watermark this task has fully reported: what records sent from a closed window carry
     * as their sender's progress. Not the one now closing windows: a reader may act on a
     * sender's progress only after everything that progress covers has arrived, and the windows
     * being closed are still being sent; {@link #advanced} announces the new one after them.
     */
    protected long reportedWatermark() {
        return announced;
    }

    /**
     * Stamps {@code r}, a record this task sends on to the next repartition, as coming from this
     * task with progress {@code watermark} and the sender count it learned.
     */
    protected <S extends Stamped> S stamped(final S r, final long watermark) {
        r.source = context.taskId().partition();
        r.sources = progress.sources();
        r.sourceTime = watermark;
        return r;
    }

    /** How many sending tasks this reader waits for. */
    protected int sources() {
        return progress.sources();
    }
}
