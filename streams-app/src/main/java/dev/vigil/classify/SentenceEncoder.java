package dev.vigil.classify;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.util.Map;

/**
 * all-MiniLM-L6-v2, the sentence encoder of the semantic crisis tier, run by ONNX Runtime from
 * the model file inside its Maven artifact (nothing is downloaded). A message's vector is the
 * attention-masked mean of the last hidden states, L2-normalised, as the model was trained.
 *
 * <p>One intra-op thread: the encoder runs inside a stream thread on the few messages the fast
 * tier escalates, and must not compete with the other stream threads for cores. The session is
 * thread-safe; the classifier loads it when it starts ({@link SemanticCrisis#warmUp}).
 */
public final class SentenceEncoder implements AutoCloseable {
    public static final String MODEL_RESOURCE = "/all-minilm-l6-v2.onnx";
    public static final int DIMENSIONS = 384;
    /** The model's own position limit, [CLS] and [SEP] included. */
    public static final int MODEL_MAX_TOKENS = 256;

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    public SentenceEncoder() {
        try (InputStream in = SentenceEncoder.class.getResourceAsStream(MODEL_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("sentence encoder " + MODEL_RESOURCE + " is not on the class path");
            }
            final byte[] model = in.readAllBytes();
            final OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            session = env.createSession(model, options);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        } catch (final OrtException e) {
            throw new IllegalStateException("cannot start the sentence encoder: " + e.getMessage(), e);
        }
    }

    /** The normalised vector of one token sequence (without [CLS]/[SEP]; at most 254 ids). */
    public float[] encode(final int[] ids, final int n) {
        final float[][] out = encodeBatch(new int[][] {ids}, new int[] {n});
        return out[0];
    }

    /**
     * Normalised vectors of several sequences, padded to the longest. Used offline (distilling the
     * static vectors, embedding training sets); the stream encodes one message at a time.
     */
    public float[][] encodeBatch(final int[][] ids, final int[] lengths) {
        final int batch = ids.length;
        int longest = 0;
        for (final int n : lengths) {
            longest = Math.max(longest, Math.min(n, MODEL_MAX_TOKENS - 2));
        }
        final int seq = longest + 2;
        final long[] input = new long[batch * seq];
        final long[] mask = new long[batch * seq];
        final long[] types = new long[batch * seq];
        for (int b = 0; b < batch; b++) {
            final int n = Math.min(lengths[b], MODEL_MAX_TOKENS - 2);
            final int base = b * seq;
            input[base] = WordPiece.CLS;
            mask[base] = 1;
            for (int i = 0; i < n; i++) {
                input[base + 1 + i] = ids[b][i];
                mask[base + 1 + i] = 1;
            }
            input[base + 1 + n] = WordPiece.SEP;
            mask[base + 1 + n] = 1;
        }
        final long[] shape = {batch, seq};
        try (OnnxTensor inputIds = OnnxTensor.createTensor(env, LongBuffer.wrap(input), shape);
             OnnxTensor attention = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
             OnnxTensor tokenTypes = OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape);
             OrtSession.Result result = session.run(Map.of("input_ids", inputIds,
                     "attention_mask", attention, "token_type_ids", tokenTypes))) {
            final float[][][] hidden = (float[][][]) result.get(0).getValue();
            final float[][] vectors = new float[batch][DIMENSIONS];
            for (int b = 0; b < batch; b++) {
                final float[] v = vectors[b];
                int count = 0;
                for (int t = 0; t < seq; t++) {
                    if (mask[b * seq + t] == 0) {
                        continue;
                    }
                    count++;
                    final float[] h = hidden[b][t];
                    for (int d = 0; d < DIMENSIONS; d++) {
                        v[d] += h[d];
                    }
                }
                double norm = 0;
                for (int d = 0; d < DIMENSIONS; d++) {
                    v[d] /= count;
                    norm += (double) v[d] * v[d];
                }
                final float inv = (float) (1.0 / Math.max(Math.sqrt(norm), 1e-12));
                for (int d = 0; d < DIMENSIONS; d++) {
                    v[d] *= inv;
                }
            }
            return vectors;
        } catch (final OrtException e) {
            throw new IllegalStateException("sentence encoder failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (final OrtException e) {
            // Closing at shutdown: nothing left to protect.
        }
    }
}
