package dev.vigil.classify.train;

import dev.vigil.classify.MlpHead;
import dev.vigil.classify.NearestLabelled;
import dev.vigil.classify.SemanticCrisis;
import dev.vigil.classify.SentenceEncoder;
import dev.vigil.classify.StaticVectors;
import dev.vigil.classify.WordPiece;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Trains the semantic crisis tier ({@link SemanticCrisis}) reproducibly: the same data, encoder
 * and JVM give the same bytes.
 *
 * <ol>
 *   <li>Static token vectors distilled from the encoder ({@link Distill}): every vocabulary token
 *       encoded alone, reduced to {@link #DIMS} principal axes, weighted by rarity in the training
 *       texts.</li>
 *   <li>The fast grade head: a one-hidden-layer perceptron over a message's static vector.</li>
 *   <li>The encoder grade head: a one-hidden-layer perceptron over the encoder's sentence vector.</li>
 * </ol>
 *
 * <p>Training data (every source's licence allows shipping derived weights; docs/classifier.md):
 * the message-level sets in {@code streams-app/src/main/training/crisis-messages/} (written for
 * the purpose), the development splits of the crisis disclosure and self-harm request sets under
 * {@code src/test/resources}, and, as messages with no risk, GoEmotions comments (Apache-2.0),
 * XSTest's safe prompts (CC BY 4.0) and CoCoNot's prompts outside its safety category (MIT) from
 * the shared data.
 */
public final class CrisisTrainer {
    public static final int DIMS = 256;
    /** Smooth-inverse-frequency constant: tokens rarer than this share of the text keep full weight. */
    static final double SIF = 1e-3;
    static final int HIDDEN = 64;
    static final int MLP_ITERATIONS = 400;
    static final double MLP_L2 = 1e-4;
    static final long SEED = 7;
    static final int FAST_HIDDEN = 64;
    static final int FAST_ITERATIONS = 400;
    static final double FAST_L2 = 1e-4;
    /**
     * GoEmotions comments taken as messages with no risk (file order, risk words left out). 9,000
     * rather than 3,000 since 2.3.0: with the oblique written sets, 3,000 gave a crisis level to
     * 4.4–5.5% of DailyDialog's everyday turns; 9,000 brought it below 2.2.0's 3.6%.
     */
    static final int ORDINARY = 9000;
    /**
     * Weight of a public ordinary message against a written one: thousands of them would otherwise
     * drown the few hundred hard negatives (fiction, idioms, third parties) that teach the boundary.
     */
    static final double ORDINARY_WEIGHT = 0.3;
    /**
     * Weight of a written message with no risk that borrows the words of one (a mishap, an idiom,
     * a denial, a side-effect or dose question asked for safety, fiction, research, a third
     * party, an everyday errand): the boundary the encoder finds hardest. Six kinds joined in
     * 2.3.0 (fiction, research, news_research, third_party, medication_info, medicine): with
     * 1,295 ordinary assistant requests weighted double beside them, a novelist's overdose
     * question was graded at the referral rung.
     */
    static final double LOOK_ALIKE_WEIGHT = Double.parseDouble(System.getProperty("vigil.train.lookAlikeWeight", "2"));
    static final java.util.Set<String> LOOK_ALIKE_KINDS = java.util.Set.of("mishap", "idiom", "denial", "medical",
            "side_effect", "activity", "task", "negated_recovered", "recovered", "support_to_others", "others_safety",
            "fiction", "research", "news_research", "third_party", "medication_info", "medicine");
    /**
     * Weight of a written or development self-harm request (a method, dose, place, concealment,
     * encouragement or eating-disorder request) against other messages at risk. 1.5 since 2.4.0:
     * the look-alike sets that joined then (questions about acts and doses asked from the
     * outside, weighted double) otherwise pull requests in the same words below the referral rung
     * (with those sets and before requests-3, at 1, 599 of the validation splits' 689 requests reached
     * it, at 1.5, 608).
     */
    static final double REQUEST_WEIGHT = Double.parseDouble(System.getProperty("vigil.train.requestWeight", "1.5"));
    /** Nearest labelled messages that vote on an escalated message's rung ({@link NearestLabelled}). */
    static final int NEIGHBOURS = 3;
    /**
     * Share of the vote in the blend with the encoder head. At 0.6 a unanimous vote decides alone,
     * a two-to-one vote for the referral rung needs the head at 0.25 or more, and one neighbour at
     * risk needs the head at 0.75. Chosen on the validation split (held_out_5; 1–10 neighbours,
     * shares 0.5–0.7) and the hard cases: at 0.7 two dose requests beside a sleep-aid question
     * ("how many mg of melatonin ... to fall asleep") outvoted a head that read it as harmless.
     */
    static final double NEIGHBOUR_WEIGHT = 0.6;
    /**
     * Cosine similarity from which a neighbour votes. Chosen with the share (0–0.7 tried): at 0.5
     * the validation split's figures hold and a message far from every labelled one (an off-road
     * holiday whose nearest are drives off a cliff road, at 0.45) is left to the head.
     */
    static final double NEIGHBOUR_MIN_SIMILARITY = 0.5;
    /** Class-probability threshold of both grade heads ({@link SemanticCrisis#grade}). */
    static final double THRESHOLD = 0.5;
    /**
     * Probability of any risk (the escalation head's) from which a message goes to the encoder:
     * the one that escalates the same share of real everyday text as 2.2.0 did (14.2% of
     * GoEmotions' dev comments and DailyDialog's turns from the shared data, 12,616 messages), so
     * a retrained head neither spends more of the encoder's budget nor saves it by escalating
     * less. 5.3% of the demo's human messages escalate at it (2.4.0, at 0.1355: 4.0%; 2.3.0: 4.8%). 2.2.0 took 0.10, the
     * highest that escalated about 5% of the demo's messages; the demo repeats 351 sentences, so
     * real text is the better yardstick.
     */
    static final double ESCALATE_FROM = 0.1169;
    /**
     * Seed of the escalation head. Heads of one recipe differ by several points from seed to
     * seed on the validation split's 144 referral-rung messages, so the seed was chosen on it:
     * seeds 1, 2, 3, 4 and 7 escalated 136, 138, 134, 135 and 133 of them at the same 5% of the
     * demo (the grade head's recipe, escalating by 1 - P(none), gave 128, 128, 133, 135 and 139,
     * the last 2.1.0's shipped head).
     */
    static final long ESCALATION_SEED = 2;
    /** The training sets written for the purpose, relative to the repository root. */
    public static final String WRITTEN = "streams-app/src/main/training/crisis-messages";
    public static final String EVAL_SAMPLE = "streams-app/src/test/resources/dev/vigil/classify/eval-sample";

    private CrisisTrainer() {
    }

    /** Every training example, in a fixed order. */
    public static List<CrisisData.Example> examples(final Path root, final Path shared) throws IOException {
        final List<CrisisData.Example> out = new ArrayList<>();
        final Path written = root.resolve(WRITTEN);
        try (var dirs = Files.list(written)) {
            for (final Path d : dirs.filter(p -> Files.exists(p.resolve("labels.jsonl"))).sorted().toList()) {
                out.addAll(CrisisData.read(d, d.getFileName().toString()));
            }
        }
        final Path sample = root.resolve(EVAL_SAMPLE);
        for (final CrisisData.Example e : CrisisData.read(sample.resolve("crisis-disclosures"), "disclosures")) {
            // The never-read splits measure the tier; everything else teaches it.
            if (!e.split().startsWith("held_out_")) {
                out.add(e);
            }
        }
        out.addAll(CrisisData.read(sample.resolve("selfharm-requests"), "requests"));
        out.addAll(CrisisData.ordinary(shared, "train", ORDINARY));
        return out;
    }

    static boolean ordinary(final CrisisData.Example e) {
        return e.source().equals("goemotions") || e.source().equals("xstest") || e.source().equals("coconot");
    }

    /** Trains the tier from {@code examples} with {@code encoder}. */
    public static SemanticCrisis train(final List<CrisisData.Example> examples, final WordPiece vocab,
                                       final SentenceEncoder encoder, final PrintStream log) {
        final long t0 = System.nanoTime();
        final float[][] tokens = Distill.tokenVectors(vocab, encoder, log);
        final long[] counts = new long[vocab.size()];
        final int[] ids = new int[SemanticCrisis.FAST_MAX_TOKENS];
        for (final CrisisData.Example e : examples) {
            final int n = vocab.encode(e.text(), ids, ids.length);
            for (int i = 0; i < n; i++) {
                counts[ids[i]]++;
            }
        }
        final double[] mean = new double[SentenceEncoder.DIMENSIONS];
        final float[][] axes = Distill.pca(tokens, DIMS, mean);
        final StaticVectors vectors = SemanticCrisis.quantised(
                new StaticVectors(DIMS, Distill.project(tokens, axes, mean, counts, SIF)));
        log.printf(Locale.ROOT, "  static vectors: %d tokens x %d dims (%.0f s)%n", vocab.size(), DIMS,
                (System.nanoTime() - t0) / 1e9);

        final int n = examples.size();
        final float[][] xs = new float[n][];
        final float[][] xe = new float[n][];
        final int[] y = new int[n];
        final double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            final CrisisData.Example e = examples.get(i);
            final int len = vocab.encode(e.text(), ids, ids.length);
            xs[i] = new float[DIMS];
            vectors.embed(ids, len, xs[i]);
            xe[i] = encoder.encode(ids, Math.min(len, SemanticCrisis.CHUNK_TOKENS));
            y[i] = e.rung();
            w[i] = ordinary(e) ? ORDINARY_WEIGHT : e.rung() == 0 && LOOK_ALIKE_KINDS.contains(e.kind()) ? LOOK_ALIKE_WEIGHT
                    : e.rung() > 0 && e.kind().startsWith("request_") ? REQUEST_WEIGHT : 1.0;
            if (log != null && i % 1000 == 999) {
                log.printf(Locale.ROOT, "  encoded %d / %d training messages%n", i + 1, n);
            }
        }
        // Escalation asks one question, any risk or none: a head trained on that alone ranks
        // unseen risk above ordinary text better than the grade head's 1 - P(none) (out of fold
        // on the training messages, at the same 5% of the demo's traffic: 80% -> 88% of the
        // referral-rung disclosures and 71% -> 79% of the self-harm requests escalated, over
        // five seeds each; the small validation split cannot tell the two apart).
        final int[] anyRisk = new int[n];
        int atRisk = 0;
        for (int i = 0; i < n; i++) {
            anyRisk[i] = y[i] > 0 ? 1 : 0;
            atRisk += anyRisk[i];
        }
        final MlpHead escalation = Fit.mlp(xs, anyRisk, w, 2, FAST_HIDDEN, FAST_L2, FAST_ITERATIONS, ESCALATION_SEED);
        final MlpHead fast = Fit.mlp(xs, y, w, 5, FAST_HIDDEN, FAST_L2, FAST_ITERATIONS, SEED);
        final MlpHead full = Fit.mlp(xe, y, w, 5, HIDDEN, MLP_L2, MLP_ITERATIONS, SEED);

        final byte[] rungs = new byte[n];
        for (int i = 0; i < n; i++) {
            rungs[i] = (byte) y[i];
        }
        final NearestLabelled nearest = new NearestLabelled(NearestLabelled.unitRows(xe), rungs,
                SentenceEncoder.DIMENSIONS, NEIGHBOURS, NEIGHBOUR_WEIGHT, NEIGHBOUR_MIN_SIMILARITY);
        log.printf(Locale.ROOT, "  %d examples (%d at risk); escalation from fast probability %.3f (%.0f s)%n", n,
                atRisk, ESCALATE_FROM, (System.nanoTime() - t0) / 1e9);
        return new SemanticCrisis(vocab, vectors, escalation, fast, full, nearest,
                new SemanticCrisis.Settings(ESCALATE_FROM, THRESHOLD, THRESHOLD));
    }

    /** Trains from the repository at {@code root} and the shared data, and writes the resource. */
    public static SemanticCrisis trainAndSave(final Path root, final Path shared, final Path resources,
                                              final PrintStream log) throws IOException {
        final List<CrisisData.Example> examples = examples(root, shared);
        try (SentenceEncoder encoder = new SentenceEncoder()) {
            final SemanticCrisis model = train(examples, WordPiece.load(), encoder, log);
            Files.createDirectories(resources);
            try (OutputStream out = Files.newOutputStream(resources.resolve(SemanticCrisis.RESOURCE))) {
                model.write(out);
            }
            log.printf(Locale.ROOT, "  wrote %s (sha-256 %s)%n", resources.resolve(SemanticCrisis.RESOURCE),
                    model.contentHash().substring(0, 12));
            return model;
        }
    }
}
