package dev.vigil.aggregate;

/** Names of the aggregate dimensions, as they appear in {@code WindowAggregate.dimension}. */
public final class Dimensions {
    public static final String ALL = "all";
    public static final String AFFECTIVE_CATEGORY = "affective_category";
    public static final String PUSHBACK_REASON = "pushback_reason";
    public static final String LANGUAGE = "language";
    public static final String MODEL = "model";

    private Dimensions() {
    }

    /** The dimension of a {@code dimension=value} cell key. */
    public static String dimension(final String cell) {
        return cell.substring(0, cell.indexOf('='));
    }

    /** The value of a {@code dimension=value} cell key. */
    public static String value(final String cell) {
        return cell.substring(cell.indexOf('=') + 1);
    }
}
