package dev.vigil.classify;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Rows of floats stored as 8-bit values with one scale per row (the row's largest magnitude over
 * 127): a quarter of the size, and the rounding is far below what the crisis tier's heads resolve.
 * The static token vectors and the labelled messages' sentence vectors are stored this way.
 */
final class QuantisedRows {
    private QuantisedRows() {
    }

    /** The scale of the {@code dims} values of {@code v} from {@code from}. */
    private static float scale(final float[] v, final int from, final int dims) {
        float max = 0;
        for (int d = 0; d < dims; d++) {
            max = Math.max(max, Math.abs(v[from + d]));
        }
        return max == 0 ? 1f : max / 127f;
    }

    /** Rounds {@code v} (rows of {@code dims}) in place to what {@link #write} stores. */
    static void quantise(final float[] v, final int dims) {
        for (int from = 0; from < v.length; from += dims) {
            final float scale = scale(v, from, dims);
            for (int d = 0; d < dims; d++) {
                v[from + d] = Math.round(v[from + d] / scale) * scale;
            }
        }
    }

    /** Writes {@code v} (rows of {@code dims}), each row as its scale and then its 8-bit values. */
    static void write(final DataOutputStream out, final float[] v, final int dims) throws IOException {
        final byte[] row = new byte[dims];
        for (int from = 0; from < v.length; from += dims) {
            final float scale = scale(v, from, dims);
            out.writeFloat(scale);
            for (int d = 0; d < dims; d++) {
                row[d] = (byte) Math.round(v[from + d] / scale);
            }
            out.write(row);
        }
    }

    /** Reads {@code rows} rows of {@code dims} as {@link #write} wrote them. */
    static float[] read(final DataInputStream in, final int rows, final int dims) throws IOException {
        final float[] v = new float[rows * dims];
        final byte[] row = new byte[dims];
        for (int from = 0; from < v.length; from += dims) {
            final float scale = in.readFloat();
            in.readFully(row);
            for (int d = 0; d < dims; d++) {
                v[from + d] = row[d] * scale;
            }
        }
        return v;
    }
}
