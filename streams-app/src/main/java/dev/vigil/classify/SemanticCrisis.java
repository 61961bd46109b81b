package dev.vigil.classify;

import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.CrisisTier;
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
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The semantic crisis tier: grades suicide and self-harm risk on the Columbia ladder from what a
 * message means rather than the words it uses.
 *
 * <ol>
 *   <li><b>Fast, every human message</b> (microseconds): the encoder's tokens, each looked up in a
 *       table of static vectors distilled from the encoder, averaged, and read by a small
 *       escalation head trained on one question, any risk or none. This gives the probability
 *       that the message is a disclosure or a self-harm request. Only a message it cannot rule
 *       out is read by the fast grade head (the rung, for when the encoder is over budget).</li>
 *   <li><b>Encoder, escalated messages only</b> (milliseconds): messages the fast head cannot rule
 *       out ({@code escalateFrom}), or that a curated crisis phrase flags, are encoded by
 *       all-MiniLM-L6-v2 and graded by a head trained on the same labelled messages, blended with
 *       the vote of the nearest labelled messages ({@link NearestLabelled}). A long
 *       message is read as its most crisis-like chunks (at most {@link #ENCODER_CHUNKS} of at most
 *       {@link #CHUNK_TOKENS} tokens), so no message can hold a thread for long.</li>
 * </ol>
 *
 * <p>Encoder calls are capped by an {@link EncoderBudget}; past the cap the fast grade stands and
 * the signal says so ({@code crisis_tier} = {@code FAST_OVER_BUDGET}).
 */
public final class SemanticCrisis {
    public static final String RESOURCE = "crisis-semantic.bin.gz";
    private static final int MAGIC = 0x56475343; // "VGSC"
    private static final int FORMAT = 4;
    /** Tokens the fast tier reads of a message; the rest of a very long message is not read. */
    public static final int FAST_MAX_TOKENS = 4096;
    /** Tokens of one encoder input. */
    public static final int CHUNK_TOKENS = 128;
    /** Encoder inputs one message may cost at most. */
    public static final int ENCODER_CHUNKS = 3;
    private static final int CLASSES = CrisisLevel.values().length;

    /** Decision settings, trained and shipped with the weights. */
    public record Settings(double escalateFrom, double fastThreshold, double encoderThreshold) {
    }

    private final WordPiece vocab;
    private final StaticVectors vectors;
    private final MlpHead escalationHead;
    private final MlpHead fastHead;
    private final MlpHead encoderHead;
    private final NearestLabelled neighbours;
    private final Settings settings;
    private final String contentHash;
    private volatile SentenceEncoder encoder;
    private final LongAdder encoderNanos = new LongAdder();
    private final LongAdder encoderInputs = new LongAdder();

    public SemanticCrisis(final WordPiece vocab, final StaticVectors vectors, final MlpHead escalationHead,
                          final MlpHead fastHead, final MlpHead encoderHead, final NearestLabelled neighbours,
                          final Settings settings) {
        this.vocab = vocab;
        this.escalationHead = escalationHead;
        this.neighbours = neighbours;
        this.vectors = vectors;
        this.fastHead = fastHead;
        this.encoderHead = encoderHead;
        this.settings = settings;
        this.contentHash = hash(this);
    }

    /** Per-thread buffers. */
    public static final class Workspace {
        final int[] ids = new int[FAST_MAX_TOKENS];
        int count;
        final float[] vector;
        final float[] chunkVector;
        /** One window's static vector while {@link #rankWindows} ranks them. */
        final float[] windowVector;
        /** The static vector the fast grade reads: {@link #vector}, or {@link #chunkVector} if riskier. */
        float[] graded;
        final double[] risk = new double[2];
        final double[] p = new double[CLASSES];
        final double[] chunkP = new double[CLASSES];
        final int[] chunk = new int[CHUNK_TOKENS];
        final int[] windowStarts = new int[ENCODER_CHUNKS];
        final double[] windowScores = new double[ENCODER_CHUNKS];
        final float[] fastHidden;
        final float[] escalationHidden;
        final float[] hidden;
        final NearestLabelled.Scratch nearest;
        /** Outputs of the last grade. */
        public CrisisLevel level;
        public double probability;
        /** Expected severity on the ladder (see {@link #severity}): a score that rises with the rung. */
        public double severity;
        public CrisisTier tier;
        public boolean escalate;

        Workspace(final int dims, final int escalationHidden, final int fastHidden, final int encoderHidden,
                  final NearestLabelled.Scratch nearest) {
            this.nearest = nearest;
            vector = new float[dims];
            chunkVector = new float[dims];
            windowVector = new float[dims];
            this.escalationHidden = new float[escalationHidden];
            this.fastHidden = new float[fastHidden];
            this.hidden = new float[encoderHidden];
        }
    }

    public Workspace workspace() {
        return new Workspace(vectors.dims, escalationHead.hidden, fastHead.hidden, encoderHead.hidden, neighbours.scratch());
    }

    public Settings settings() {
        return settings;
    }

    public String contentHash() {
        return contentHash;
    }

    public WordPiece vocab() {
        return vocab;
    }

    /**
     * The fast tier: tokenises {@code text}, reads the probability of any risk from its static
     * vector and decides whether the encoder should see it ({@link Workspace#escalate}). Sets
     * level, probability, severity and tier: a message it escalates is graded by the fast grade
     * head too (the grade that stands when the encoder is over budget); one it rules out is
     * graded none, its severity its risk at the passive rung's score.
     */
    public void fast(final String text, final Workspace ws) {
        ws.count = vocab.encode(text, ws.ids, FAST_MAX_TOKENS);
        vectors.embed(ws.ids, ws.count, ws.vector);
        ws.probability = risk(ws.vector, ws);
        ws.graded = ws.vector;
        if (ws.count > CHUNK_TOKENS) {
            // A long message is as risky as its riskiest part: one sentence of disclosure in a
            // long post about something else is diluted in the whole message's mean.
            rankWindows(ws);
            if (ws.windowScores[0] > ws.probability) {
                ws.probability = ws.windowScores[0];
                ws.graded = ws.chunkVector;
            }
        }
        ws.escalate = ws.probability >= settings.escalateFrom();
        ws.tier = CrisisTier.FAST;
        if (ws.escalate) {
            fastGrade(ws);
        } else {
            ws.level = CrisisLevel.NONE;
            ws.severity = ws.probability * RUNG_SCORE[1];
        }
    }

    /**
     * The fast grade head on the message {@link #fast} last read (its riskiest window if long):
     * sets level and severity. {@link #fast} runs it on what it escalates; a caller that
     * escalates a message for another reason (a curated phrase) runs it when the encoder is over
     * budget.
     */
    public void fastGrade(final Workspace ws) {
        fastHead.probabilities(ws.graded, ws.fastHidden, ws.p);
        ws.severity = severity(ws.p);
        ws.level = grade(ws.p, settings.fastThreshold());
    }

    private double risk(final float[] vector, final Workspace ws) {
        escalationHead.probabilities(vector, ws.escalationHidden, ws.risk);
        return ws.risk[1];
    }

    /**
     * Windows of {@link #CHUNK_TOKENS} advancing by half a window, ranked by the escalation head:
     * the {@link #ENCODER_CHUNKS} riskiest (ties: earliest first) into the workspace, and the
     * static vector of the riskiest in {@link Workspace#chunkVector}.
     */
    private void rankWindows(final Workspace ws) {
        final int step = CHUNK_TOKENS / 2;
        final int windows = (ws.count - CHUNK_TOKENS + step - 1) / step + 1;
        final int[] starts = ws.windowStarts;
        final double[] scores = ws.windowScores;
        java.util.Arrays.fill(scores, -1);
        for (int w = 0; w < windows; w++) {
            final int from = Math.min(w * step, ws.count - CHUNK_TOKENS);
            System.arraycopy(ws.ids, from, ws.chunk, 0, CHUNK_TOKENS);
            vectors.embed(ws.chunk, CHUNK_TOKENS, ws.windowVector);
            final double s = risk(ws.windowVector, ws);
            for (int k = 0; k < ENCODER_CHUNKS; k++) {
                if (s > scores[k]) {
                    System.arraycopy(scores, k, scores, k + 1, ENCODER_CHUNKS - k - 1);
                    System.arraycopy(starts, k, starts, k + 1, ENCODER_CHUNKS - k - 1);
                    scores[k] = s;
                    starts[k] = from;
                    if (k == 0) {
                        System.arraycopy(ws.windowVector, 0, ws.chunkVector, 0, ws.chunkVector.length);
                    }
                    break;
                }
            }
        }
    }

    /**
     * The encoder tier on the message {@link #fast} last read: grades its most crisis-like chunks
     * and keeps the highest grade. Sets level, probability and tier.
     */
    public void encode(final Workspace ws) {
        final long start = cpuNanos();
        final SentenceEncoder enc = encoder();
        CrisisLevel best = CrisisLevel.NONE;
        double bestProbability = 0;
        double bestSeverity = 0;
        if (ws.count <= CHUNK_TOKENS) {
            final float[] v = enc.encode(ws.ids, ws.count);
            encoderHead.probabilities(v, ws.hidden, ws.p);
            neighbours.blend(v, ws.p, ws.nearest);
            best = grade(ws.p, settings.encoderThreshold());
            bestProbability = 1 - ws.p[0];
            bestSeverity = severity(ws.p);
            encoderInputs.increment();
        } else {
            final int[] starts = ws.windowStarts;
            final double[] scores = ws.windowScores;
            for (int k = 0; k < ENCODER_CHUNKS && scores[k] >= 0; k++) {
                System.arraycopy(ws.ids, starts[k], ws.chunk, 0, CHUNK_TOKENS);
                final float[] v = enc.encode(ws.chunk, CHUNK_TOKENS);
                encoderHead.probabilities(v, ws.hidden, ws.chunkP);
                neighbours.blend(v, ws.chunkP, ws.nearest);
                encoderInputs.increment();
                final CrisisLevel l = grade(ws.chunkP, settings.encoderThreshold());
                if (l.ordinal() > best.ordinal()) {
                    best = l;
                }
                bestProbability = Math.max(bestProbability, 1 - ws.chunkP[0]);
                bestSeverity = Math.max(bestSeverity, severity(ws.chunkP));
            }
        }
        ws.level = best;
        ws.probability = bestProbability;
        ws.severity = bestSeverity;
        ws.tier = CrisisTier.ENCODER;
        encoderNanos.add(cpuNanos() - start);
    }

    /**
     * The rung of class probabilities {@code p}: at least active ideation when the classes that
     * need a referral together reach {@code threshold} (then the likeliest of them), else passive
     * ideation when any risk does, else none. Summing the referral classes first keeps a message
     * torn between "plan" and "attempt" from falling to "none".
     */
    static CrisisLevel grade(final double[] p, final double threshold) {
        final double referral = p[2] + p[3] + p[4];
        if (referral >= threshold) {
            return p[4] >= p[3] && p[4] >= p[2] ? CrisisLevel.BEHAVIOR
                    : p[3] >= p[2] ? CrisisLevel.INTENT_OR_PLAN : CrisisLevel.ACTIVE_IDEATION;
        }
        return 1 - p[0] >= threshold ? CrisisLevel.PASSIVE_IDEATION : CrisisLevel.NONE;
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /** This thread's CPU time (the encoder runs on the calling thread), or wall time where the JVM cannot tell. */
    private static long cpuNanos() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /** Score of each rung for {@link #severity}: none, passive, active, plan, behaviour. */
    private static final double[] RUNG_SCORE = {0.0, 0.65, 0.8, 0.9, 1.0};

    /**
     * The expected severity of class probabilities {@code p} on the ladder: 0 for certain no
     * risk, 0.65 for a certain passive wish, up to 1 for certain behaviour. Unlike the probability
     * of any risk, it rises with the rung, so a dashboard can rank messages by it.
     */
    static double severity(final double[] p) {
        double s = 0;
        for (int c = 0; c < RUNG_SCORE.length; c++) {
            s += p[c] * RUNG_SCORE[c];
        }
        return s;
    }

    /** The labelled messages that vote on escalated ones. */
    NearestLabelled neighbours() {
        return neighbours;
    }

    /** CPU time spent in the encoder so far, in nanoseconds (all threads). */
    public long encoderNanos() {
        return encoderNanos.sum();
    }

    /** Encoder inputs run so far (a long message may be several). */
    public long encoderInputs() {
        return encoderInputs.sum();
    }

    /**
     * Loads the encoder and runs it once, so the first escalated message (the one that matters)
     * does not wait a second or two for a 90 MB model, and a stream thread never stalls mid-stream.
     */
    public SemanticCrisis warmUp() {
        encoder().encode(new int[] {WordPiece.UNK}, 1);
        return this;
    }

    private SentenceEncoder encoder() {
        SentenceEncoder e = encoder;
        if (e == null) {
            synchronized (this) {
                e = encoder;
                if (e == null) {
                    e = new SentenceEncoder();
                    encoder = e;
                }
            }
        }
        return e;
    }

    /** The shipped tier, from the class path. */
    public static SemanticCrisis load() {
        try (InputStream in = SemanticCrisis.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("semantic crisis model " + RESOURCE + " is not on the class path");
            }
            return read(in, WordPiece.load());
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SemanticCrisis read(final InputStream raw, final WordPiece vocab) throws IOException {
        final DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(new GZIPInputStream(raw)));
        if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
            throw new IOException("not a Vigil semantic crisis model of format " + FORMAT);
        }
        final Settings settings = new Settings(in.readDouble(), in.readDouble(), in.readDouble());
        final int tokens = in.readInt();
        final int dims = in.readInt();
        if (tokens != vocab.size()) {
            throw new IOException("static vectors for " + tokens + " tokens, vocabulary has " + vocab.size());
        }
        final float[] v = QuantisedRows.read(in, tokens, dims);
        final MlpHead escalation = MlpHead.read(in);
        final MlpHead fast = MlpHead.read(in);
        final MlpHead enc = MlpHead.read(in);
        final NearestLabelled near = NearestLabelled.read(in);
        return new SemanticCrisis(vocab, new StaticVectors(dims, v), escalation, fast, enc, near, settings);
    }

    /** Quantises the static vectors as {@link #read} stores them. */
    public static StaticVectors quantised(final StaticVectors v) {
        final float[] out = v.flat();
        QuantisedRows.quantise(out, v.dims);
        return new StaticVectors(v.dims, out);
    }

    /** Writes the tier (static vectors quantised) as {@link #read} loads it. */
    public void write(final OutputStream raw) throws IOException {
        final GZIPOutputStream gz = new GZIPOutputStream(raw) {
            {
                // A fixed header: the same weights give the same bytes.
                def.setLevel(java.util.zip.Deflater.BEST_COMPRESSION);
            }
        };
        final DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(gz));
        writeBody(out);
        out.flush();
        gz.finish();
    }

    private void writeBody(final DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(FORMAT);
        out.writeDouble(settings.escalateFrom());
        out.writeDouble(settings.fastThreshold());
        out.writeDouble(settings.encoderThreshold());
        final int dims = vectors.dims;
        out.writeInt(vectors.tokens());
        out.writeInt(dims);
        QuantisedRows.write(out, vectors.flat(), dims);
        escalationHead.write(out);
        fastHead.write(out);
        encoderHead.write(out);
        neighbours.write(out);
    }

    private static String hash(final SemanticCrisis model) {
        try {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            model.writeBody(new DataOutputStream(bytes));
            final MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(bytes.toByteArray()));
        } catch (final IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
