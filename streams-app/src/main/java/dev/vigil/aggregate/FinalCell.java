package dev.vigil.aggregate;

import dev.vigil.stream.Stamped;

/**
 * One cell's final count for one window, on its way from the cell's task to the task that
 * publishes every cell of the same dimension and window together (so k-anonymity can look at
 * them side by side); or, progress only, how far the sending task has closed its windows.
 * Internal: never on an output topic.
 */
public final class FinalCell extends Stamped {
    public long windowStart;
    public long windowEnd;
    public String cell;
    public CellAccumulator counts;
}
