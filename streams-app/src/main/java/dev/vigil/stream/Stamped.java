package dev.vigil.stream;

/**
 * A record that crosses a repartition topic together with the event-time progress of the task
 * that sent it, so the task that reads it can tell when every sending task has passed a point in
 * event time.
 *
 * <p>Why: a downstream task reads one repartition partition written by every upstream task. When
 * the upstream tasks run at different speeds (catching up after downtime, a replay, a restart),
 * records from a slow task arrive after a fast task has pushed the reader's stream time far ahead,
 * and Kafka Streams' own windows would drop them as late: the result would depend on scheduling.
 * With progress carried in band, a window closes only when every upstream task has passed its end
 * plus grace, so what a window holds depends on the input alone. See {@link SourceProgress}.
 *
 * <p>Fields are public for the JSON serde; the stamping code fills them, not callers.
 */
public abstract class Stamped {
    /** The upstream task (its partition number) that sent this record. */
    public int source = -1;
    /** How many upstream tasks write the topic this record crossed (set by {@link ProgressPartitioner}). */
    public int sources;
    /** The sender's event time (stream time, at least this record's own) when it sent the record. */
    public long sourceTime = Long.MIN_VALUE;
    /** No payload: only the sender's progress, sent to every partition. */
    public boolean progressOnly;
    /** The sender had no input for a while (caught up); readers stop waiting for it until it speaks again. */
    public boolean sourceIdle;
}
