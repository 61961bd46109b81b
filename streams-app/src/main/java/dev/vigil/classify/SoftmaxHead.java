package dev.vigil.classify;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * A dense multinomial logistic regression over a fixed-width vector: the semantic crisis tier's
 * grade heads. Weights are {@code [class][input]}, classes in {@code CrisisLevel} order.
 */
public final class SoftmaxHead {
    public final int classes;
    public final int inputs;
    public final float[] weights;
    public final float[] bias;

    public SoftmaxHead(final int classes, final int inputs) {
        this.classes = classes;
        this.inputs = inputs;
        this.weights = new float[classes * inputs];
        this.bias = new float[classes];
    }

    /** Class probabilities of {@code x} into {@code out}. */
    public void probabilities(final float[] x, final double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            double z = bias[c];
            final int base = c * inputs;
            for (int i = 0; i < inputs; i++) {
                z += weights[base + i] * x[i];
            }
            out[c] = z;
            max = Math.max(max, z);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            out[c] = Math.exp(out[c] - max);
            sum += out[c];
        }
        for (int c = 0; c < classes; c++) {
            out[c] /= sum;
        }
    }

    void write(final DataOutputStream out) throws IOException {
        out.writeInt(classes);
        out.writeInt(inputs);
        for (final float w : weights) {
            out.writeFloat(w);
        }
        for (final float b : bias) {
            out.writeFloat(b);
        }
    }

    static SoftmaxHead read(final DataInputStream in) throws IOException {
        final SoftmaxHead h = new SoftmaxHead(in.readInt(), in.readInt());
        for (int i = 0; i < h.weights.length; i++) {
            h.weights[i] = in.readFloat();
        }
        for (int i = 0; i < h.bias.length; i++) {
            h.bias[i] = in.readFloat();
        }
        return h;
    }
}
