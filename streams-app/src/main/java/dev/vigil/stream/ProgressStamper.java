package dev.vigil.stream;

import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The sending side of event-time progress (see {@link Stamped}): turns each input record into
 * zero or more {@link Stamped} records for a repartition topic, stamps them with this task and its
 * stream time, and sends a progress-only record to every partition whenever its stream time
 * enters a new {@link #STEP_MS} step, so readers that get none of its records still see it move.
 *
 * <p>A task that has had no input for {@code idleAfter} (wall clock) while its consumer saw no
 * records waiting ({@link InputLag}: its partitions are quiet, not unreachable) says so once, and
 * readers stop waiting for it: a quiet partition must not hold every window open. A task that is
 * slow, restoring, or cut off from the broker with records still to read is not idle, so readers
 * keep waiting for it.
 */
public abstract class ProgressStamper<KIn, VIn, V extends Stamped> implements Processor<KIn, VIn, String, V> {
    /** Event-time granularity of progress records: a window closes at most this late. */
    public static final long STEP_MS = 1_000;
    /** Key of progress-only records (they go to every partition, the key decides nothing). */
    public static final String PROGRESS_KEY = "~progress";

    private final Supplier<V> progressRecord;
    private final Duration idleAfter;
    private ProcessorContext<String, V> context;
    private long lastStep = Long.MIN_VALUE;
    private long lastInputNanos = System.nanoTime();
    private boolean idleSent;
    /** This task's stream time as of the record being processed (see {@link #streamTime()}). */
    private long time = Long.MIN_VALUE;
    /** The furthest progress stamped on any record sent so far (see {@link #sendAsReported}). */
    private long reported = Long.MIN_VALUE;
    /** Topics this task has read records from: its input, whose lag says whether it is caught up. */
    private final Set<String> inputTopics = new HashSet<>();

    protected ProgressStamper(final Supplier<V> progressRecord, final Duration idleAfter) {
        this.progressRecord = progressRecord;
        this.idleAfter = idleAfter;
    }

    @Override
    public void init(final ProcessorContext<String, V> context) {
        this.context = context;
        final Duration every = idleAfter.dividedBy(2).isZero() ? Duration.ofMillis(1) : idleAfter.dividedBy(2);
        context.schedule(every, PunctuationType.WALL_CLOCK_TIME, now -> checkIdle());
    }

    @Override
    public final void process(final Record<KIn, VIn> record) {
        lastInputNanos = System.nanoTime();
        if (idleSent) {
            // Readers stopped waiting for this task when it fell quiet: tell them to wait again
            // before anything else. A sender that holds records back (an aggregating one) may send
            // nothing for a while, and readers that still took it for quiet would close windows
            // its held records belong to. Stamped with what it reported already, not the new time.
            sendProgress(reported, false);
        }
        idleSent = false;
        context.recordMetadata().ifPresent(m -> inputTopics.add(m.topic()));
        time = Math.max(context.currentStreamTimeMs(), record.timestamp());
        emit(record, (key, value, timestamp) -> {
            stamp(value, time, false);
            context.forward(new Record<>(key, value, timestamp));
        });
        final long step = Math.floorDiv(time, STEP_MS);
        if (step > lastStep) {
            lastStep = step;
            sendProgress(time, false);
        }
    }

    /** Turns one input record into the records to send, through {@code out}. */
    protected abstract void emit(Record<KIn, VIn> record, Emitter<V> out);

    /** This task's stream time with the record {@link #emit} is handling: what its records are stamped with. */
    protected final long streamTime() {
        return time;
    }

    /**
     * Sends {@code value} stamped with the progress this task last reported rather than its
     * stream time now: for a record that holds what the task gathered before now (a sender that
     * aggregates). Stamped with the new time, a reader could close a window on it while other
     * such records for that window were still behind it in the same batch.
     *
     * <p>The record's timestamp is {@code timestamp} or that progress, whichever is earlier. A
     * window sent before it closes (when the task falls quiet) would otherwise carry a time up to
     * a window ahead of any event, and every task that reads it would take that as its stream
     * time: its conversations would end and its windows close on a time no event had reached,
     * at a moment that depends on scheduling, so a replay would not give what the live run did.
     */
    protected final void sendAsReported(final String key, final V value, final long timestamp) {
        final long at = reported;
        stamp(value, at, false);
        context.forward(new Record<>(key, value, Math.min(timestamp, Math.max(0, at))));
    }

    /**
     * Called when the task has gone quiet, just before it tells the readers so (they stop
     * waiting for it): a sender that holds records back sends them now.
     */
    protected void beforeQuiet() {
    }

    /** Where {@link #emit} sends its records; they are stamped on the way. */
    @FunctionalInterface
    public interface Emitter<V> {
        void send(String key, V value, long timestamp);
    }

    private void checkIdle() {
        if (!idleSent && System.nanoTime() - lastInputNanos >= idleAfter.toNanos() && caughtUp()) {
            idleSent = true;
            beforeQuiet();
            // Sent even before the first record (stream time unknown): a partition that never
            // had input must not hold the readers' windows open either.
            sendProgress(context.currentStreamTimeMs(), true);
        }
    }

    private boolean caughtUp() {
        final int partition = context.taskId().partition();
        return inputTopics.isEmpty()
                ? InputLag.caughtUpBeforeFirstRecord(context.applicationId(), context.taskId().subtopology(), partition)
                : InputLag.caughtUp(context.applicationId(), inputTopics, partition);
    }

    private void sendProgress(final long time, final boolean idle) {
        final V p = progressRecord.get();
        p.progressOnly = true;
        stamp(p, time, idle);
        // Before any input the stream time is unknown (-1); a record's timestamp may not be negative.
        context.forward(new Record<>(PROGRESS_KEY, p, Math.max(0, time)));
    }

    private void stamp(final V value, final long at, final boolean idle) {
        value.source = context.taskId().partition();
        value.sourceTime = at;
        value.sourceIdle = idle;
        reported = Math.max(reported, at);
    }
}
