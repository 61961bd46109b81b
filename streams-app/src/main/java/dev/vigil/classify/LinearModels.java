package dev.vigil.classify;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The weights of every linear head, interleaved per feature ({@code [feature][head columns]}) so a
 * feature costs one memory access for all heads together. Stored as a gzipped resource of 16-bit
 * quantised weights (one scale per head): small in the repository, and quantisation error is far
 * below what the models can resolve.
 */
final class LinearModels {
    static final String RESOURCE = "linear-models.bin.gz";
    private static final int MAGIC = 0x56474c4d; // "VGLM"
    private static final int FORMAT = 1;

    final int width = Head.width();
    /** Training-time weights; null once {@link #freeze()} has packed them for scoring. */
    final float[] weights;
    /** Scoring-time weights, 16 bits each: half the memory traffic of floats, which is what scoring costs. */
    private short[] packed;
    private final float[] scales = new float[Head.width()];
    private String contentHash = "untrained";

    LinearModels() {
        weights = new float[Features.DIMENSION * width];
    }

    /** Adds every head's logits for {@code f} into {@code out} (length {@link Head#width()}). */
    void score(final Features f, final float[] out) {
        score(f, out, 0);
    }

    /**
     * Like {@link #score(Features, float[])}, skipping features below {@code fromRow}: the pushback
     * head has no weights outside the opening of a message, so assistant messages read only those.
     */
    void score(final Features f, final float[] out, final int fromRow) {
        java.util.Arrays.fill(out, 0f);
        final int wd = width;
        if (packed == null) {
            final float[] w = weights;
            for (int k = 0; k < f.count; k++) {
                if (f.index[k] < fromRow) {
                    continue;
                }
                final int base = f.index[k] * wd;
                final float v = f.value[k];
                for (int c = 0; c < wd; c++) {
                    out[c] += w[base + c] * v;
                }
            }
            return;
        }
        final short[] w = packed;
        for (int k = 0; k < f.count; k++) {
            if (f.index[k] < fromRow) {
                continue;
            }
            final int base = f.index[k] * wd;
            final float v = f.value[k];
            for (int c = 0; c < wd; c++) {
                out[c] += w[base + c] * v;
            }
        }
        for (int c = 0; c < wd; c++) {
            out[c] *= scales[c];
        }
    }

    LinearModels copy() {
        final LinearModels m = new LinearModels();
        System.arraycopy(weights, 0, m.weights, 0, weights.length);
        m.contentHash = contentHash;
        return m;
    }

    String contentHash() {
        return contentHash;
    }

    void write(final OutputStream out) throws IOException {
        try (DataOutputStream d = new DataOutputStream(new GZIPOutputStream(out))) {
            d.writeInt(MAGIC);
            d.writeInt(FORMAT);
            d.writeInt(Features.BUCKETS);
            d.writeInt(Features.DENSE);
            d.writeInt(width);
            final float[] scales = new float[width];
            for (final Head h : Head.values()) {
                float max = 1e-9f;
                for (int row = 0; row < Features.DIMENSION; row++) {
                    for (int c = 0; c < h.classes; c++) {
                        max = Math.max(max, Math.abs(weights[row * width + h.offset() + c]));
                    }
                }
                for (int c = 0; c < h.classes; c++) {
                    scales[h.offset() + c] = max / Short.MAX_VALUE;
                }
            }
            for (final float s : scales) {
                d.writeFloat(s);
            }
            for (int i = 0; i < weights.length; i++) {
                d.writeShort(Math.round(weights[i] / scales[i % width]));
            }
        }
    }

    static LinearModels load() {
        try (InputStream in = LinearModels.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing class-path resource " + RESOURCE
                        + ": run `vigil train --data ../shared/data`");
            }
            return read(in);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static LinearModels read(final InputStream raw) throws IOException {
        final byte[] bytes = raw.readAllBytes();
        final LinearModels m = new LinearModels();
        try (DataInputStream d = new DataInputStream(new GZIPInputStream(new java.io.ByteArrayInputStream(bytes)))) {
            if (d.readInt() != MAGIC || d.readInt() != FORMAT) {
                throw new IOException("not a Vigil linear model resource");
            }
            if (d.readInt() != Features.BUCKETS || d.readInt() != Features.DENSE || d.readInt() != m.width) {
                throw new IOException("model was trained for a different feature layout: retrain");
            }
            final float[] scales = new float[m.width];
            for (int c = 0; c < m.width; c++) {
                scales[c] = d.readFloat();
            }
            System.arraycopy(scales, 0, m.scales, 0, scales.length);
            m.packed = new short[m.weights.length];
            for (int i = 0; i < m.weights.length; i++) {
                final short q = d.readShort();
                m.packed[i] = q;
                m.weights[i] = q * scales[i % m.width];
            }
        }
        m.contentHash = sha256(bytes);
        return m;
    }

    /** Round-trips through the stored form, so a freshly trained model scores exactly like the shipped one. */
    LinearModels quantised() {
        try {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            write(out);
            return read(new java.io.ByteArrayInputStream(out.toByteArray()));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(final byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
