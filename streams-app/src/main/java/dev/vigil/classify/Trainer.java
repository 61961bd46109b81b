package dev.vigil.classify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.Role;
import dev.vigil.schema.Sentiment;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * Trains the linear heads from the labelled data layout: logistic regression (softmax for the
 * multi-class heads) with AdaGrad over the shared hashed features, fixed seeds and a fixed example
 * order, so the same data always gives the same weights.
 *
 * <p>What each head learns from, among the {@link TrainingSource}s a run may use (by default only
 * those whose licences allow shipping the weights):
 * <ul>
 *   <li>sentiment: polarity-goemotions (train split; a polarity label allows either of its two
 *       classes, "negative" = very negative or negative), and with research data sentiment-sst5
 *       (train split, five classes);</li>
 *   <li>crisis: crisis-cssrs messages labelled with their user's risk;</li>
 *   <li>affective: human messages of the affective set's permitted sources labelled with their
 *       conversation's family, plus CoCoNot's task prompts as non-affective;</li>
 *   <li>pushback: CoCoNot's paired responses, plus pushback-xstest unless held out.</li>
 * </ul>
 */
final class Trainer {
    static final long SEED = 20260105L;

    /** Which data a training run may use; cross-validation leaves one fold out. */
    record Plan(Set<Head> heads, Predicate<String> heldIn, boolean pushbackFromXstest) {
        static Plan all() {
            return new Plan(EnumSet.allOf(Head.class), id -> true, true);
        }
    }

    /** One training example for one head. */
    record Example(int[] index, float[] value, int allowed, float target, float weight) {
    }

    private final Path data;
    private final PrintStream log;
    private final Map<String, LabelledData> cache = new HashMap<>();
    /** User of each crisis example, in example order (for the multiple-instance refinement). */
    private final List<String> crisisGroups = new ArrayList<>();
    private final StandardClassifier featuriser = Classifiers.withModels(new LinearModels());
    private final Set<TrainingSource> sources;

    /** A trainer that uses only the sources whose licences allow shipping the weights. */
    Trainer(final Path data, final PrintStream log) {
        this(data, log, TrainingSource.redistributable());
    }

    /** A trainer that may use the {@code allowed} sources. */
    Trainer(final Path data, final PrintStream log, final Set<TrainingSource> allowed) {
        this.data = data;
        this.log = log;
        final Set<TrainingSource> used = EnumSet.noneOf(TrainingSource.class);
        used.addAll(allowed);
        if (DAILYDIALOG_WEIGHT <= 0) {
            // Off unless its experiment weight is set, whatever the licence allows.
            used.remove(TrainingSource.DAILYDIALOG);
        }
        this.sources = java.util.Collections.unmodifiableSet(used);
        if (DAILYDIALOG_WEIGHT > 0 && !allowed.contains(TrainingSource.DAILYDIALOG)) {
            throw new IllegalArgumentException("-Dvigil.train.dailydialog trains on DailyDialog ("
                    + TrainingSource.DAILYDIALOG.licence + "), a research-only source: add --research-data");
        }
    }

    boolean uses(final TrainingSource source) {
        return sources.contains(source);
    }

    /** The sources this run trains on (in declaration order, for a reproducible model card). */
    Set<TrainingSource> sources() {
        return sources;
    }

    /** Whether the conversation's source in {@code folder} is one this run may train on. */
    private boolean uses(final String folder, final String conversationId) {
        final TrainingSource s = TrainingSource.of(folder, conversationId);
        return s != null && uses(s);
    }

    LabelledData folder(final String name) throws IOException {
        final LabelledData cached = cache.get(name);
        if (cached != null) {
            return cached;
        }
        final Path dir = data.resolve(name);
        if (!LabelledData.isTaskFolder(dir)) {
            throw new IOException("training needs " + dir + " (events.jsonl and labels.jsonl)");
        }
        final LabelledData d = LabelledData.read(dir);
        cache.put(name, d);
        return d;
    }

    LinearModels train(final Plan plan) throws IOException {
        return trainInto(new LinearModels(), plan);
    }

    /** Fits the plan's heads into a copy of {@code base}; other heads keep base's weights. */
    LinearModels trainInto(final LinearModels base, final Plan plan) throws IOException {
        final LinearModels models = base.copy();
        for (final Head head : plan.heads()) {
            final long start = System.nanoTime();
            final List<Example> examples = examples(head, plan);
            fit(models, head, examples, epochs(head), RATE, l2(head));
            if (head == Head.CRISIS && MULTIPLE_INSTANCE) {
                refineCrisis(models, examples);
            }
            if (head == Head.SENTIMENT) {
                calibrateNeutral(models, plan);
            }
            log.printf(Locale.ROOT, "  %-10s %7d examples  %5.1f s%n", head.name().toLowerCase(Locale.ROOT),
                    examples.size(), (System.nanoTime() - start) / 1e9);
        }
        return models.quantised();
    }

    static final double RATE = 0.25;
    /**
     * Power of the balanced class weight (total / (3 * class count)) of a GoEmotions example: 1 is
     * the usual balanced weighting, 0 none. Macro-F1 weighs the rarer negative class as much as the
     * others, and unweighted training under-called it (recall 0.56).
     */
    static final double POLARITY_BALANCE = Double.parseDouble(System.getProperty("vigil.train.balance", "1"));
    static final String DAILYDIALOG = "polarity-dailydialog";
    /**
     * Weight of a DailyDialog utterance against a GoEmotions comment (after balancing within each
     * set). 0, the default, leaves it out: an experiment (docs/classifier.md, "Tried and not kept"). One sentiment head
     * serves both sets, and the two label neutral differently: with DailyDialog in training,
     * GoEmotions falls below its target before DailyDialog's cross-validated figure reaches its own.
     */
    static final double DAILYDIALOG_WEIGHT = Double.parseDouble(System.getProperty("vigil.train.dailydialog", "0"));
    /** Power of DailyDialog's balanced class weight (it is 89% neutral). */
    static final double DAILYDIALOG_BALANCE = Double.parseDouble(System.getProperty("vigil.train.ddbalance", "1"));
    /** Weight of DailyDialog's macro-F1 in the neutral calibration. */
    static final double DAILYDIALOG_CALIBRATION = Double.parseDouble(System.getProperty("vigil.train.ddcal", "0"));
    static final boolean MULTIPLE_INSTANCE = Boolean.parseBoolean(System.getProperty("vigil.train.mi", "true"));

    /**
     * Multiple-instance refinement: a user is labelled at risk, not each post, and most posts of an
     * at-risk user are about other things. After a first fit, only the higher-scoring half of each
     * at-risk user's posts stay positive (the rest are dropped, not made negative) and the head is
     * fitted again from zero.
     */
    private void refineCrisis(final LinearModels models, final List<Example> examples) {
        final int offset = Head.CRISIS.offset();
        final Map<String, List<double[]>> byUser = new HashMap<>();
        final double[] scores = new double[examples.size()];
        for (int i = 0; i < examples.size(); i++) {
            final Example x = examples.get(i);
            double z = 0;
            for (int f = 0; f < x.index().length; f++) {
                z += models.weights[x.index()[f] * models.width + offset] * x.value()[f];
            }
            scores[i] = z;
            if (x.target() > 0) {
                byUser.computeIfAbsent(crisisGroups.get(i), k -> new ArrayList<>()).add(new double[] {z});
            }
        }
        final Map<String, Double> median = new HashMap<>();
        byUser.forEach((user, zs) -> {
            final double[] sorted = zs.stream().mapToDouble(a -> a[0]).sorted().toArray();
            median.put(user, sorted[sorted.length / 2]);
        });
        final List<Example> kept = new ArrayList<>();
        int positives = 0;
        int negatives = 0;
        for (int i = 0; i < examples.size(); i++) {
            final Example x = examples.get(i);
            if (x.target() > 0 && scores[i] < median.get(crisisGroups.get(i))) {
                continue;
            }
            positives += x.target() > 0 ? 1 : 0;
            // The balance is the forum posts' own; everyday-distress negatives come on top of it.
            negatives += x.target() == 0 && crisisGroups.get(i) != null ? 1 : 0;
            kept.add(x);
        }
        final float positiveWeight = (float) negatives / Math.max(1, positives);
        final List<Example> reweighted = new ArrayList<>();
        for (final Example x : kept) {
            reweighted.add(x.target() > 0 ? new Example(x.index(), x.value(), 0, 1f, positiveWeight) : x);
        }
        for (int row = 0; row < Features.DIMENSION; row++) {
            models.weights[row * models.width + offset] = 0f;
        }
        fit(models, Head.CRISIS, reweighted, epochs(Head.CRISIS), RATE, l2(Head.CRISIS));
    }
    /** Weight of an SST-5 example against a GoEmotions one (weighting SST up was tried: it did not help). */
    static final float SST_EXAMPLE_WEIGHT = Float.parseFloat(System.getProperty("vigil.train.sst", "1"));
    /**
     * Weight of SST-5 accuracy in the neutral calibration. Zero: conversational polarity (GoEmotions)
     * is what Vigil sees, and movie-review accuracy pulls the bias the other way.
     */
    static final double SST_WEIGHT = Double.parseDouble(System.getProperty("vigil.train.sstweight", "0"));

    /** One tenth of each sentiment training split is kept out of training to calibrate the neutral class. */
    static boolean calibration(final ConversationEvent e) {
        return LabelledData.fold(e.getConversationId(), 10) == 0;
    }

    /**
     * Sets the neutral class's bias so that, on the calibration tenth of the training splits, the
     * five-class accuracy (SST-5) plus the polarity macro-F1 (GoEmotions) is highest: conversational
     * text is far more often neutral than movie reviews, and the joint model under-calls neutral.
     */
    void calibrateNeutral(final LinearModels models, final Plan plan) throws IOException {
        final List<int[]> sst = new ArrayList<>();
        final List<int[]> go = new ArrayList<>();
        final List<float[]> sstLogits = new ArrayList<>();
        final List<float[]> goLogits = new ArrayList<>();
        final StandardClassifier.Workspace ws = new StandardClassifier.Workspace();
        final List<int[]> dd = new ArrayList<>();
        final List<float[]> ddLogits = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        if (uses(TrainingSource.SST5)) {
            names.add("sentiment-sst5");
        }
        names.add("polarity-goemotions");
        if (DAILYDIALOG_WEIGHT > 0 && DAILYDIALOG_CALIBRATION > 0) {
            names.add(DAILYDIALOG);
        }
        for (final String name : names) {
            final LabelledData d = folder(name);
            final boolean daily = name.equals(DAILYDIALOG);
            for (final ConversationEvent e : d.events) {
                final JsonNode l = d.byEvent.get(e.getEventId());
                if (l == null || !calibration(e) || (daily ? !plan.heldIn().test(e.getConversationId())
                        : !"train".equals(l.path("split").asText()))) {
                    continue;
                }
                featuriser.analyse(e.getText(), ws);
                final float[] z = new float[Head.SENTIMENT.classes];
                final float[] all = new float[Head.width()];
                models.score(ws.features, all);
                System.arraycopy(all, Head.SENTIMENT.offset(), z, 0, z.length);
                if (l.has("sentiment")) {
                    sst.add(new int[] {Sentiment.valueOf(l.get("sentiment").asText().toUpperCase(Locale.ROOT)).ordinal()});
                    sstLogits.add(z);
                } else {
                    final String p = l.get("polarity").asText();
                    (daily ? dd : go).add(new int[] {"negative".equals(p) ? 0 : "neutral".equals(p) ? 1 : 2});
                    (daily ? ddLogits : goLogits).add(z);
                }
            }
        }
        double bestDelta = 0;
        double bestScore = -1;
        double bestFive = 0;
        double bestThree = 0;
        for (double delta = -1.0; delta <= 3.0001; delta += 0.1) {
            final Evaluation.Confusion five = new Evaluation.Confusion(List.of("0", "1", "2", "3", "4"));
            for (int i = 0; i < sst.size(); i++) {
                five.add(String.valueOf(sst.get(i)[0]), String.valueOf(argmax(sstLogits.get(i), delta)));
            }
            final Evaluation.Confusion three = polarity(go, goLogits, delta);
            final double score = SST_WEIGHT * five.accuracy() + three.macroF1()
                    + (dd.isEmpty() ? 0 : DAILYDIALOG_CALIBRATION * polarity(dd, ddLogits, delta).macroF1());
            if (score > bestScore + 1e-9) {
                bestScore = score;
                bestDelta = delta;
                bestFive = five.accuracy();
                bestThree = three.macroF1();
            }
        }
        // The bias row is the dense BIAS feature's weights; its value is always 1.
        final int row = Features.BUCKETS + Features.Dense.BIAS.ordinal();
        models.weights[row * models.width + Head.SENTIMENT.offset() + 2] += (float) bestDelta;
        log.printf(Locale.ROOT, "  neutral bias %+.1f (calibration: %d sst5, %d goemotions messages: five-class accuracy"
                + " %.4f, polarity macro-F1 %.4f)%n", bestDelta, sst.size(), go.size(), bestFive, bestThree);
    }

    /** Three-class polarity confusion of five-class logits (very negative and negative are negative). */
    private static Evaluation.Confusion polarity(final List<int[]> gold, final List<float[]> logits,
                                                 final double neutralDelta) {
        final Evaluation.Confusion three = new Evaluation.Confusion(List.of("0", "1", "2"));
        for (int i = 0; i < gold.size(); i++) {
            final int c = argmax(logits.get(i), neutralDelta);
            three.add(String.valueOf(gold.get(i)[0]), String.valueOf(c < 2 ? 0 : c == 2 ? 1 : 2));
        }
        return three;
    }

    private static int argmax(final float[] z, final double neutralDelta) {
        int best = 0;
        for (int c = 1; c < z.length; c++) {
            if (z[c] + (c == 2 ? neutralDelta : 0) > z[best] + (best == 2 ? neutralDelta : 0)) {
                best = c;
            }
        }
        return best;
    }

    /** L2 strength per head; the hashed space is large next to these data sets, so it matters. */
    private static double l2(final Head head) {
        final String override = System.getProperty("vigil.train.l2." + head.name().toLowerCase(Locale.ROOT));
        if (override != null) {
            return Double.parseDouble(override);
        }
        return switch (head) {
            case SENTIMENT -> 1e-4;
            case CRISIS -> 1e-4;
            case AFFECTIVE -> 1e-4;
            case PUSHBACK -> 1e-4;
        };
    }

    private static int epochs(final Head head) {
        final String override = System.getProperty("vigil.train.epochs." + head.name().toLowerCase(Locale.ROOT));
        if (override != null) {
            return Integer.parseInt(override);
        }
        return switch (head) {
            case SENTIMENT -> 2;
            case CRISIS -> 4;
            case AFFECTIVE -> 3;
            case PUSHBACK -> 6;
        };
    }

    private Example example(final String text, final int allowed, final float target, final float weight) {
        final StandardClassifier.Workspace ws = new StandardClassifier.Workspace();
        featuriser.analyse(text, ws);
        return new Example(ws.features.indexCopy(), ws.features.valueCopy(), allowed, target, weight);
    }

    /** An assistant reply featurised as the classifier sees replies (a longer opening, no body n-grams). */
    private Example replyExample(final String text, final float target) {
        final StandardClassifier.Workspace ws = new StandardClassifier.Workspace();
        featuriser.analyseAssistant(text, ws);
        return new Example(ws.features.indexCopy(), ws.features.valueCopy(), 0, target, 1f);
    }

    /**
     * Adds the polarity-labelled messages {@code use} accepts, each allowing the two classes of its
     * polarity (negative = very negative or negative), with balanced class weights within the set.
     */
    private void addPolarity(final LabelledData d, final BiPredicate<ConversationEvent, JsonNode> use,
                             final double weight, final double balance, final List<Example> out) {
        final Map<String, Integer> perPolarity = new HashMap<>();
        int total = 0;
        for (final ConversationEvent e : d.events) {
            final JsonNode l = d.byEvent.get(e.getEventId());
            if (l != null && use.test(e, l)) {
                perPolarity.merge(l.get("polarity").asText(), 1, Integer::sum);
                total++;
            }
        }
        for (final ConversationEvent e : d.events) {
            final JsonNode l = d.byEvent.get(e.getEventId());
            if (l != null && use.test(e, l)) {
                final String polarity = l.get("polarity").asText();
                final int allowed = switch (polarity) {
                    case "negative" -> 0b00011;
                    case "positive" -> 0b11000;
                    default -> 0b00100;
                };
                final double balanced = total / (3.0 * perPolarity.get(polarity));
                out.add(example(e.getText(), allowed, 0, (float) (weight * Math.pow(balanced, balance))));
            }
        }
    }

    List<Example> examples(final Head head, final Plan plan) throws IOException {
        final List<Example> out = new ArrayList<>();
        switch (head) {
            case SENTIMENT -> {
                if (uses(TrainingSource.SST5)) {
                    final LabelledData sst = folder("sentiment-sst5");
                    for (final ConversationEvent e : sst.events) {
                        final JsonNode l = sst.byEvent.get(e.getEventId());
                        if (l != null && "train".equals(l.path("split").asText()) && !calibration(e)) {
                            final int c = Sentiment.valueOf(l.get("sentiment").asText().toUpperCase(Locale.ROOT)).ordinal();
                            out.add(example(e.getText(), 1 << c, 0, SST_EXAMPLE_WEIGHT));
                        }
                    }
                }
                if (uses(TrainingSource.GOEMOTIONS)) {
                    final LabelledData go = folder("polarity-goemotions");
                    addPolarity(go, (e, l) -> "train".equals(l.path("split").asText()) && !calibration(e),
                            1, POLARITY_BALANCE, out);
                }
                if (DAILYDIALOG_WEIGHT > 0) {
                    // Everyday two-person chat, the register Vigil reads; only the conversations the plan holds in.
                    addPolarity(folder(DAILYDIALOG), (e, l) -> plan.heldIn().test(e.getConversationId()) && !calibration(e),
                            DAILYDIALOG_WEIGHT, DAILYDIALOG_BALANCE, out);
                }
            }
            case CRISIS -> {
                crisisGroups.clear();
                if (!uses(TrainingSource.CSSRS)) {
                    break;
                }
                final LabelledData c = folder("crisis-cssrs");
                int positives = 0;
                final List<Example> raw = new ArrayList<>();
                for (final ConversationEvent e : c.events) {
                    final JsonNode l = c.byConversation.get(e.getConversationId());
                    if (l == null || !plan.heldIn().test(e.getConversationId())) {
                        continue;
                    }
                    final boolean atRisk = l.get("at_risk").asBoolean();
                    positives += atRisk ? 1 : 0;
                    raw.add(example(e.getText(), 0, atRisk ? 1f : 0f, 1f));
                    crisisGroups.add(e.getConversationId());
                }
                final float positiveWeight = raw.size() == positives ? 1f
                        : (float) (raw.size() - positives) / Math.max(1, positives);
                for (final Example x : raw) {
                    out.add(x.target() > 0 ? new Example(x.index(), x.value(), 0, 1f, positiveWeight) : x);
                }
                for (final Example x : everydayDistress(plan)) {
                    out.add(x);
                    crisisGroups.add(null);
                }
            }
            case AFFECTIVE -> {
                final LabelledData a = folder("affective");
                final Map<String, Integer> humans = new HashMap<>();
                for (final ConversationEvent e : a.events) {
                    if (e.getRole() == Role.HUMAN) {
                        humans.merge(e.getConversationId(), 1, Integer::sum);
                    }
                }
                final List<Example> affective = new ArrayList<>();
                final List<Example> task = new ArrayList<>();
                for (final ConversationEvent e : a.events) {
                    final JsonNode l = a.byConversation.get(e.getConversationId());
                    if (l == null || e.getRole() != Role.HUMAN || !plan.heldIn().test(e.getConversationId())
                            || !uses(a.name, e.getConversationId())) {
                        continue;
                    }
                    final int c = affectiveClass(l);
                    // Every conversation weighs the same, however many messages it has.
                    final float w = (float) (1.0 / Math.sqrt(humans.get(e.getConversationId())));
                    (c == 0 ? task : affective).add(example(e.getText(), 1 << c, 0, w));
                }
                if (uses(TrainingSource.COCONOT)) {
                    final LabelledData coconot = folder("pushback-coconot");
                    final Set<String> seen = new HashSet<>();
                    for (final ConversationEvent e : coconot.events) {
                        if (e.getRole() == Role.HUMAN && seen.add(e.getText())) {
                            task.add(example(e.getText(), 1, 0, 1f));
                        }
                    }
                }
                final double aw = affective.stream().mapToDouble(Example::weight).sum();
                final double tw = task.stream().mapToDouble(Example::weight).sum();
                final float scale = (float) (aw / Math.max(1e-9, tw));
                out.addAll(affective);
                for (final Example x : task) {
                    out.add(new Example(x.index(), x.value(), x.allowed(), 0, x.weight() * scale));
                }
            }
            case PUSHBACK -> {
                if (uses(TrainingSource.COCONOT)) {
                    addPushback(folder("pushback-coconot"), id -> true, out);
                }
                if (plan.pushbackFromXstest() && uses(TrainingSource.XSTEST)) {
                    addPushback(folder("pushback-xstest"), plan.heldIn(), out);
                }
            }
            default -> throw new IllegalStateException();
        }
        return out;
    }

    /**
     * Weight of one everyday-distress negative against one forum post (0, the default, leaves them
     * out): at every weight tried they cut the false alarms on everyday distress but cost
     * crisis-cssrs recall (docs/classifier.md, "Tried and not kept"), so they are an experiment switch, not shipped.
     */
    static final float EVERYDAY_WEIGHT = Float.parseFloat(System.getProperty("vigil.train.everyday", "0"));
    static final String EVERYDAY_SOURCES = System.getProperty("vigil.train.everydaySources", "counselchat,goemotions");
    /** Counsel Chat topics whose questions may disclose suicidality or self-harm: never used as negatives. */
    private static final Set<String> CRISIS_ADJACENT_TOPICS = Set.of("depression", "trauma", "substance-abuse",
            "addiction", "eating-disorders", "grief-and-loss", "domestic-violence", "self-harm");
    /** Words that may mark a disclosure; a message with any of them is never used as a negative. */
    private static final java.util.regex.Pattern DISCLOSURE_WORDS = java.util.regex.Pattern.compile(
            "suicid|kill|\\bdie\\b|\\bdied\\b|dying|\\bdead\\b|death|harm|hurt(ing)? myself|\\bcut(ting)?\\b|overdos"
            + "|end (it|my life|everything)|wake up|alive|live anymore|worth living|better off without|\\bpills?\\b"
            + "|disappear|give up|no point|hopeless",
            java.util.regex.Pattern.CASE_INSENSITIVE);

    /**
     * Negatives for the crisis head from outside the mental-health forums: Counsel Chat questions
     * on relationships, anxiety, parenting, work and the like (MIT), and GoEmotions' negative
     * comments (Apache-2.0, train split). Every crisis-cssrs user posted in those forums, so without
     * these the head learns "distress" rather than "suicidality" and flagged 34 of the 50 everyday
     * troubles (a failed exam, a break-up, a lost job) written for the tests. Questions on
     * crisis-adjacent topics, and any message with a disclosure word or a curated crisis cue, are
     * left out, so a hidden disclosure is never taught as safe.
     */
    private List<Example> everydayDistress(final Plan plan) throws IOException {
        final List<Example> out = new ArrayList<>();
        if (EVERYDAY_WEIGHT <= 0) {
            return out;
        }
        if (EVERYDAY_SOURCES.contains("counselchat") && uses(TrainingSource.COUNSEL_CHAT)) {
            final LabelledData a = folder("affective");
            for (final ConversationEvent e : a.events) {
                final JsonNode l = a.byConversation.get(e.getConversationId());
                if (l == null || e.getRole() != Role.HUMAN || !e.getConversationId().startsWith("counselchat-")
                        || CRISIS_ADJACENT_TOPICS.contains(l.path("topic").asText())
                        || !plan.heldIn().test(e.getConversationId())) {
                    continue;
                }
                addEveryday(e.getText(), out);
            }
        }
        if (EVERYDAY_SOURCES.contains("goemotions") && uses(TrainingSource.GOEMOTIONS)) {
            final LabelledData go = folder("polarity-goemotions");
            for (final ConversationEvent e : go.events) {
                final JsonNode l = go.byEvent.get(e.getEventId());
                if (l != null && "train".equals(l.path("split").asText()) && !calibration(e)
                        && "negative".equals(l.path("polarity").asText())) {
                    addEveryday(e.getText(), out);
                }
            }
        }
        return out;
    }

    private void addEveryday(final String text, final List<Example> out) {
        if (DISCLOSURE_WORDS.matcher(text).find()) {
            return;
        }
        final StandardClassifier.Workspace ws = new StandardClassifier.Workspace();
        featuriser.analyse(text, ws);
        if (StandardClassifier.ruleCrisisLevel(ws.cues) != dev.vigil.schema.CrisisLevel.NONE) {
            return;
        }
        out.add(new Example(ws.features.indexCopy(), ws.features.valueCopy(), 0, 0f, EVERYDAY_WEIGHT));
    }

    private void addPushback(final LabelledData d, final Predicate<String> heldIn, final List<Example> out) {
        for (final ConversationEvent e : d.events) {
            final JsonNode l = d.byEvent.get(e.getEventId());
            if (l != null && heldIn.test(e.getConversationId())) {
                out.add(replyExample(e.getText(), l.get("pushback").asBoolean() ? 1f : 0f));
            }
        }
    }

    private static final String INTERPERSONAL = "partner|friend|parent|children|family|relationship|marriage|intimacy"
            + "|parenting|bullying|workplace-relationships|social-relationships|relationship-dissolution"
            + "|family-conflict";

    /** NONE, INTERPERSONAL_ADVICE, COACHING, COUNSELING from the affective set's labels. */
    static int affectiveClass(final JsonNode l) {
        if (!l.path("affective").asBoolean()) {
            return 0;
        }
        final String family = l.path("family").asText();
        if ("coaching".equals(family)) {
            return 2;
        }
        final String about = (l.path("problem").asText("") + " " + l.path("topic").asText("")).toLowerCase(Locale.ROOT);
        for (final String w : INTERPERSONAL.split("\\|")) {
            if (!about.isBlank() && about.contains(w)) {
                return 1;
            }
        }
        return 3;
    }

    /** AdaGrad over logistic (binary heads) or partial-label softmax loss, in a fixed order. */
    static void fit(final LinearModels models, final Head head, final List<Example> examples, final int epochs,
                    final double rate, final double l2) {
        final int k = head.classes;
        final int width = models.width;
        final int offset = head.offset();
        final float[] w = models.weights;
        final float[] g2 = new float[Features.DIMENSION * k];
        final int[] order = new int[examples.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        final Random random = new Random(SEED + head.ordinal());
        final double[] z = new double[k];
        final double[] grad = new double[k];
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int i = order.length - 1; i > 0; i--) {
                final int j = random.nextInt(i + 1);
                final int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (final int id : order) {
                final Example x = examples.get(id);
                java.util.Arrays.fill(z, 0);
                for (int f = 0; f < x.index().length; f++) {
                    final int base = x.index()[f] * width + offset;
                    for (int c = 0; c < k; c++) {
                        z[c] += w[base + c] * x.value()[f];
                    }
                }
                if (k == 1) {
                    grad[0] = (StandardClassifier.sigmoid(z[0]) - x.target()) * x.weight();
                } else {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < k; c++) {
                        max = Math.max(max, z[c]);
                    }
                    double sum = 0;
                    double allowedSum = 0;
                    for (int c = 0; c < k; c++) {
                        z[c] = Math.exp(z[c] - max);
                        sum += z[c];
                        if ((x.allowed() >> c & 1) != 0) {
                            allowedSum += z[c];
                        }
                    }
                    for (int c = 0; c < k; c++) {
                        final double p = z[c] / sum;
                        final double q = (x.allowed() >> c & 1) != 0 ? z[c] / allowedSum : 0;
                        grad[c] = (p - q) * x.weight();
                    }
                }
                for (int f = 0; f < x.index().length; f++) {
                    final int row = x.index()[f];
                    if (head == Head.PUSHBACK && row < Features.START_BASE) {
                        // Pushback reads only the opening of a reply (and the dense cues): refusals sit
                        // there, while the body of a compliant answer about a scary-sounding topic
                        // ("kill a Python process") would otherwise look like a refusal.
                        continue;
                    }
                    final float v = x.value()[f];
                    for (int c = 0; c < k; c++) {
                        final int wi = row * width + offset + c;
                        // L2 applied to the weights this example touches (the usual sparse approximation).
                        final double gc = grad[c] * v + l2 * w[wi];
                        if (gc == 0) {
                            continue;
                        }
                        final int gi = row * k + c;
                        g2[gi] += (float) (gc * gc);
                        w[wi] -= (float) (rate * gc / Math.sqrt(g2[gi] + 1e-8));
                    }
                }
            }
        }
    }

    /** Writes the trained weights where the classifier loads them from. */
    static void save(final LinearModels models, final Path resources) throws IOException {
        Files.createDirectories(resources);
        try (var out = Files.newOutputStream(resources.resolve(LinearModels.RESOURCE))) {
            models.write(out);
        }
    }
}
