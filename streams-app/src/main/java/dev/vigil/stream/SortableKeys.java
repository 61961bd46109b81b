package dev.vigil.stream;

/**
 * Zero-padded parts of store keys, so that keys sort as their numbers do and closing windows or
 * expiring conversations is a range scan. Equal to {@code String.format("%019d")} of a clamped
 * time and {@code "%0Nx"} of a value, without the formatter's cost: keys are built on every
 * record, and {@code String.format} showed up in the profiles.
 */
public final class SortableKeys {
    private static final String ZEROS = "0000000000000000000";

    private SortableKeys() {
    }

    /** {@code millis} (negative taken as 0) as 19 decimal digits, as {@code "%019d"}. */
    public static String time(final long millis) {
        final String digits = Long.toString(Math.max(0, millis));
        return ZEROS.substring(digits.length()) + digits;
    }

    /** {@code value} as at least {@code width} lower-case hex digits, unsigned, as {@code "%0<width>x"}. */
    public static String hex(final long value, final int width) {
        final String hex = Long.toHexString(value);
        return hex.length() >= width ? hex : ZEROS.substring(0, width - hex.length()) + hex;
    }
}
