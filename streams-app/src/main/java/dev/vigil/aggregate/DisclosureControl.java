package dev.vigil.aggregate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What may be published of one window of the smallest size, every dimension at once: the
 * decisions that make the published aggregates safe against a reader who combines them.
 *
 * <ol>
 *   <li><b>Bounded dimensions.</b> A dimension publishes at most {@code maxValues} cells; the
 *   cells with fewest accounts (then by name) fold into {@value #OTHER}. The order is a property
 *   of the counts alone, so every task and instance folds the same way.</li>
 *   <li><b>k-anonymity with complementary suppression.</b> A cell below k distinct accounts is
 *   suppressed, and if any cell of a dimension is, so is the smallest published one beside it:
 *   what subtracting the published cells from the whole yields then covers at least k accounts.</li>
 *   <li><b>No sub-count undoes a suppression.</b> {@code pushback_by_reason} inside a published
 *   cell keeps a reason only if that reason's own cell is published; the others are summed under
 *   {@value #SUPPRESSED} (or {@value #OTHER} when folded), so the {@code all} cell cannot name the
 *   count of a suppressed {@code pushback_reason} cell; and when no reason cell is published and
 *   all of them cover fewer than k accounts, no cell of the window publishes pushback figures.</li>
 * </ol>
 *
 * Larger windows add no decision of their own: {@link Publication} sums the cells published
 * here, so anything a reader computes from them he could compute from these.
 */
public final class DisclosureControl {
    /** The cell that holds a dimension's folded values. Input labels start with a letter or digit, so no producer can name it. */
    public static final String OTHER = "(other)";
    /** The pushback-reason entry that sums reasons whose own cell is suppressed. */
    public static final String SUPPRESSED = "(suppressed)";

    private DisclosureControl() {
    }

    /** One published cell: its counts, or null when suppressed. */
    public record Decision(String cell, CellAccumulator counts) {
        public boolean suppressed() {
            return counts == null;
        }
    }

    /**
     * Decides every cell of one window: {@code cells} maps {@code dimension=value} to its counts.
     * Returns the cells to publish in a fixed order (dimension, then value).
     */
    public static List<Decision> decide(final Map<String, CellAccumulator> cells, final int k, final int maxValues,
                                        final int accountCap) {
        final Map<String, CellAccumulator> kept = new TreeMap<>();
        final Set<String> suppressed = new TreeSet<>();
        final Set<String> folded = new TreeSet<>();
        byDimension(cells).forEach((name, dimension) -> {
            final Map<String, CellAccumulator> bounded = fold(name, dimension, maxValues, accountCap, folded);
            kept.putAll(bounded);
            suppressed.addAll(suppressedCells(bounded, k));
        });
        final boolean withholdPushback = pushbackBelowK(kept, suppressed, k, accountCap);
        final List<Decision> out = new ArrayList<>(kept.size());
        for (final Map.Entry<String, CellAccumulator> e : kept.entrySet()) {
            if (suppressed.contains(e.getKey())) {
                out.add(new Decision(e.getKey(), null));
            } else {
                final CellAccumulator published = withPublishedReasons(e.getValue(), kept.keySet(), suppressed, folded);
                published.pushbackWithheld = withholdPushback;
                out.add(new Decision(e.getKey(), published));
            }
        }
        return out;
    }

    /**
     * True when no {@code pushback_reason} cell is published and together they cover fewer than
     * k accounts. {@code pushback_reason} is the one dimension that covers only part of a
     * window (the replies that pushed back), and its whole is published elsewhere: every cell's
     * pushback count. With no reason cell published, the {@code all} cell's pushback count would
     * be the sum of the suppressed ones, so then no cell of the window publishes pushback figures.
     */
    private static boolean pushbackBelowK(final Map<String, CellAccumulator> kept, final Set<String> suppressed,
                                          final int k, final int accountCap) {
        final DistinctCounter accounts = new DistinctCounter();
        for (final Map.Entry<String, CellAccumulator> e : kept.entrySet()) {
            if (Dimensions.dimension(e.getKey()).equals(Dimensions.PUSHBACK_REASON)) {
                if (!suppressed.contains(e.getKey())) {
                    return false;
                }
                accounts.merge(e.getValue().accounts, accountCap);
            }
        }
        return accounts.count() > 0 && accounts.count() < k;
    }

    /**
     * Every dimension of {@code cells} bounded to {@code maxValues} cells ({@link #fold}): what a
     * larger window, whose cells are sums of published ones, has left to decide.
     */
    static Map<String, CellAccumulator> foldAll(final Map<String, CellAccumulator> cells, final int maxValues,
                                                final int accountCap) {
        final Map<String, CellAccumulator> out = new TreeMap<>();
        byDimension(cells).forEach((name, dimension) ->
                out.putAll(fold(name, dimension, maxValues, accountCap, new TreeSet<>())));
        return out;
    }

    /** {@code dimension=value} cells by dimension, each sorted by name. */
    private static Map<String, Map<String, CellAccumulator>> byDimension(final Map<String, CellAccumulator> cells) {
        final Map<String, Map<String, CellAccumulator>> out = new TreeMap<>();
        cells.forEach((cell, acc) -> out.computeIfAbsent(Dimensions.dimension(cell), d -> new TreeMap<>()).put(cell, acc));
        return out;
    }

    /** The cells of one dimension, at most {@code maxValues}: the smallest fold into {@link #OTHER}. */
    static Map<String, CellAccumulator> fold(final String dimension, final Map<String, CellAccumulator> cells,
                                             final int maxValues, final int accountCap, final Set<String> folded) {
        if (cells.size() <= maxValues) {
            return cells;
        }
        final List<Map.Entry<String, CellAccumulator>> order = new ArrayList<>(cells.entrySet());
        order.sort(Comparator.<Map.Entry<String, CellAccumulator>>comparingLong(e -> -e.getValue().accounts.count())
                .thenComparing(Map.Entry::getKey));
        final Map<String, CellAccumulator> out = new TreeMap<>();
        final CellAccumulator other = new CellAccumulator();
        for (int i = 0; i < order.size(); i++) {
            final Map.Entry<String, CellAccumulator> e = order.get(i);
            if (i < maxValues - 1 && !e.getKey().equals(dimension + "=" + OTHER)) {
                out.put(e.getKey(), e.getValue());
            } else {
                other.merge(e.getValue(), accountCap);
                folded.add(e.getKey());
            }
        }
        out.put(dimension + "=" + OTHER, other);
        return out;
    }

    /**
     * The cells of one dimension to publish as suppressed: those below k accounts and, if there is
     * any, the smallest of the others (fewest accounts, then name), so no suppressed cell can be
     * recovered by subtracting the published ones from the whole.
     */
    static Set<String> suppressedCells(final Map<String, CellAccumulator> cells, final int k) {
        final Set<String> out = new TreeSet<>();
        String smallestPublished = null;
        long smallestAccounts = Long.MAX_VALUE;
        for (final Map.Entry<String, CellAccumulator> e : cells.entrySet()) {
            final long accounts = e.getValue().accounts.count();
            if (accounts < k) {
                out.add(e.getKey());
            } else if (accounts < smallestAccounts) {
                // Cells come sorted by name, so a tie keeps the first name.
                smallestPublished = e.getKey();
                smallestAccounts = accounts;
            }
        }
        if (!out.isEmpty() && smallestPublished != null) {
            out.add(smallestPublished);
        }
        return out;
    }

    /** A copy whose pushback reasons name only published reason cells; the rest are summed. */
    private static CellAccumulator withPublishedReasons(final CellAccumulator acc, final Set<String> kept,
                                                        final Set<String> suppressed, final Set<String> folded) {
        if (acc.pushbackByReason.isEmpty()) {
            return new CellAccumulator().merge(acc, Integer.MAX_VALUE);
        }
        final TreeMap<String, Long> reasons = new TreeMap<>();
        for (final Map.Entry<String, Long> e : acc.pushbackByReason.entrySet()) {
            final String cell = Dimensions.PUSHBACK_REASON + "=" + e.getKey();
            final String key = folded.contains(cell) ? OTHER
                    : kept.contains(cell) && !suppressed.contains(cell) ? e.getKey() : SUPPRESSED;
            reasons.merge(key, e.getValue(), Long::sum);
        }
        final CellAccumulator copy = new CellAccumulator().merge(acc, Integer.MAX_VALUE);
        copy.pushbackByReason = reasons;
        return copy;
    }
}
