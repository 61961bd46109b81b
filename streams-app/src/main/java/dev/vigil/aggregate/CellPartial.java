package dev.vigil.aggregate;

import dev.vigil.stream.Stamped;

/**
 * What one input task counted for one cell in one window: the first phase of the aggregates
 * ({@link CellPartials}), on its way to the task that merges every input task's partial of the
 * cell ({@link AggregateStage.CellWindows}); or, progress only, how far the sending task has got.
 * Internal: never on an output topic.
 */
public final class CellPartial extends Stamped {
    public long windowStart;
    public long windowEnd;
    public CellAccumulator counts;
}
