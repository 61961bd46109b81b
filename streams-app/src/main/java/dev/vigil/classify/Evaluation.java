package dev.vigil.classify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.config.ConversationRules;
import dev.vigil.conversation.ConversationAccumulator;
import dev.vigil.schema.AffectiveCategory;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.ConversationState;
import dev.vigil.schema.ConversationSummary;
import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Measures a classifier on one task folder of the labelled data layout, the way the issue states
 * each target: sentiment per message (five classes, or three polarities), pushback per assistant
 * message, crisis per user (highest level over the user's messages), affective use per
 * conversation through {@link ConversationAccumulator} (the stream's own rule), and the Spearman
 * correlation of sentiment shift with the seeker's reported improvement.
 */
final class Evaluation {

    /** A confusion matrix over named labels; mergeable across cross-validation folds. */
    static final class Confusion {
        final List<String> labels;
        final long[][] counts;

        Confusion(final List<String> labels) {
            this.labels = labels;
            this.counts = new long[labels.size()][labels.size()];
        }

        void add(final String gold, final String predicted) {
            counts[labels.indexOf(gold)][labels.indexOf(predicted)]++;
        }

        void merge(final Confusion other) {
            for (int i = 0; i < counts.length; i++) {
                for (int j = 0; j < counts.length; j++) {
                    counts[i][j] += other.counts[i][j];
                }
            }
        }

        long total() {
            long t = 0;
            for (final long[] row : counts) {
                for (final long c : row) {
                    t += c;
                }
            }
            return t;
        }

        double accuracy() {
            long right = 0;
            for (int i = 0; i < counts.length; i++) {
                right += counts[i][i];
            }
            return total() == 0 ? 0 : (double) right / total();
        }

        double precision(final int c) {
            long predicted = 0;
            for (final long[] row : counts) {
                predicted += row[c];
            }
            return predicted == 0 ? 0 : (double) counts[c][c] / predicted;
        }

        double recall(final int c) {
            long gold = 0;
            for (final long v : counts[c]) {
                gold += v;
            }
            return gold == 0 ? 0 : (double) counts[c][c] / gold;
        }

        double f1(final int c) {
            final double p = precision(c);
            final double r = recall(c);
            return p + r == 0 ? 0 : 2 * p * r / (p + r);
        }

        double macroF1() {
            double sum = 0;
            for (int c = 0; c < labels.size(); c++) {
                sum += f1(c);
            }
            return sum / labels.size();
        }
    }

    /** What one task measured: headline figures, a confusion matrix, notes. */
    static final class Result {
        final String task;
        final String unit;
        final Confusion confusion;
        /** Index of the positive label for binary tasks (precision/recall/F1 of it), or -1. */
        final int positive;
        final Map<String, Double> extra = new LinkedHashMap<>();
        final List<String> notes = new ArrayList<>();
        final List<double[]> pairs = new ArrayList<>();
        /** Affective use: the category of conversations both gold and prediction call affective, or null. */
        Confusion categories;
        /** Crisis per user: how many users of each C-SSRS label got each highest crisis level. */
        final Map<String, long[]> levelsByGold = new LinkedHashMap<>();

        Result(final String task, final String unit, final Confusion confusion, final int positive) {
            this.task = task;
            this.unit = unit;
            this.confusion = confusion;
            this.positive = positive;
        }

        /** The same figures under another task name ("... (trained on pushback-coconot only)"). */
        Result renamed(final String name) {
            final Result r = new Result(name, unit, confusion, positive);
            r.extra.putAll(extra);
            return r;
        }

        void merge(final Result other) {
            confusion.merge(other.confusion);
            pairs.addAll(other.pairs);
            other.levelsByGold.forEach((k, v) -> {
                final long[] into = levelsByGold.computeIfAbsent(k, x -> new long[v.length]);
                for (int i = 0; i < v.length; i++) {
                    into[i] += v[i];
                }
            });
            if (other.categories != null) {
                if (categories == null) {
                    categories = new Confusion(other.categories.labels);
                }
                categories.merge(other.categories);
            }
        }

        Map<String, Double> figures() {
            final Map<String, Double> f = new LinkedHashMap<>();
            f.put("n", (double) confusion.total());
            f.put("accuracy", confusion.accuracy());
            if (positive >= 0) {
                f.put("precision", confusion.precision(positive));
                f.put("recall", confusion.recall(positive));
                f.put("f1", confusion.f1(positive));
            }
            f.put("macro_f1", confusion.macroF1());
            if (!pairs.isEmpty()) {
                f.put("spearman_shift_vs_improvement", spearman(pairs));
                f.put("spearman_n", (double) pairs.size());
            }
            if (categories != null) {
                f.put("category_accuracy", categories.accuracy());
                f.put("category_n", (double) categories.total());
            }
            if (!levelsByGold.isEmpty()) {
                levelsByGold.forEach((k, v) -> f.put("flagged_rate_" + k, 1.0 - (double) v[0] / Arrays.stream(v).sum()));
                // Users whose posts describe an attempt or other suicidal behaviour: how many are
                // graded behaviour, and how many at least at the rung that must be followed by a referral.
                final long[] acts = new long[CrisisLevel.values().length];
                for (final String label : List.of("behavior", "attempt")) {
                    final long[] v = levelsByGold.getOrDefault(label, new long[acts.length]);
                    for (int i = 0; i < acts.length; i++) {
                        acts[i] += v[i];
                    }
                }
                final long users = Arrays.stream(acts).sum();
                if (users > 0) {
                    long referred = 0;
                    for (int i = REFERRAL_RUNG.ordinal(); i < acts.length; i++) {
                        referred += acts[i];
                    }
                    f.put("behavior_users_graded_behavior", (double) acts[CrisisLevel.BEHAVIOR.ordinal()] / users);
                    f.put("behavior_users_graded_referral_rung", (double) referred / users);
                    f.put("behavior_users_n", (double) users);
                }
            }
            f.putAll(extra);
            return f;
        }

        String table() {
            final StringBuilder b = new StringBuilder();
            b.append("== ").append(task).append(" (per ").append(unit).append(")\n");
            figures().forEach((k, v) -> b.append(String.format(Locale.ROOT, "  %-32s %s%n", k,
                    k.equals("n") || k.endsWith("_n") ? String.valueOf(v.longValue())
                            : String.format(Locale.ROOT, "%.4f", v))));
            b.append("  confusion (rows gold, columns predicted)\n");
            matrix(b, confusion);
            if (categories != null) {
                b.append("  category of conversations found affective (rows gold, columns predicted)\n");
                matrix(b, categories);
            }
            if (!levelsByGold.isEmpty()) {
                b.append("  highest crisis level per user (rows: C-SSRS label)\n");
                matrix(b, List.copyOf(levelsByGold.keySet()),
                        Arrays.stream(CrisisLevel.values()).map(l -> l.name().toLowerCase(Locale.ROOT)).toList(),
                        levelsByGold.values().toArray(new long[0][]));
            }
            for (final String n : notes) {
                b.append("  note: ").append(n).append('\n');
            }
            return b.toString();
        }

        private static void matrix(final StringBuilder b, final Confusion m) {
            matrix(b, m.labels, m.labels, m.counts);
        }

        /** A table of counts, {@code rows} by {@code columns}, column names cut to 13 characters. */
        private static void matrix(final StringBuilder b, final List<String> rows, final List<String> columns,
                                   final long[][] counts) {
            final int width = Math.max(16, rows.stream().mapToInt(String::length).max().orElse(0) + 1);
            final String row = "  %-" + width + "s";
            b.append(String.format(Locale.ROOT, row, ""));
            for (final String l : columns) {
                b.append(String.format(Locale.ROOT, "%14s", l.length() > 13 ? l.substring(0, 13) : l));
            }
            b.append('\n');
            for (int i = 0; i < rows.size(); i++) {
                b.append(String.format(Locale.ROOT, row, rows.get(i)));
                for (final long c : counts[i]) {
                    b.append(String.format(Locale.ROOT, "%14d", c));
                }
                b.append('\n');
            }
        }

        /** {@code labels} and {@code confusion} (rows gold) of {@code m} into {@code o}. */
        private static void matrixJson(final ObjectNode o, final Confusion m) {
            m.labels.forEach(o.putArray("labels")::add);
            final ArrayNode matrix = o.putArray("confusion");
            for (final long[] row : m.counts) {
                final ArrayNode r = matrix.addArray();
                for (final long c : row) {
                    r.add(c);
                }
            }
        }

        ObjectNode json() {
            final ObjectNode o = EventJson.mapper().createObjectNode();
            o.put("task", task);
            o.put("unit", unit);
            final ObjectNode figures = o.putObject("figures");
            figures().forEach(figures::put);
            matrixJson(o, confusion);
            if (categories != null) {
                matrixJson(o.putObject("categories"), categories);
            }
            final ArrayNode notesJson = o.putArray("notes");
            notes.forEach(notesJson::add);
            return o;
        }
    }

    private Evaluation() {
    }

    /**
     * Every result {@code folder} yields for {@code classifier}, restricted to conversations
     * {@code include} accepts (cross-validation folds).
     */
    static List<Result> run(final LabelledData d, final MessageClassifier classifier,
                            final Predicate<String> include) {
        final List<Result> results = new ArrayList<>();
        switch (d.task) {
            case "sentiment5" -> {
                for (final String split : splits(d)) {
                    results.add(sentiment(d, classifier, include, split, true));
                }
            }
            case "polarity3" -> {
                for (final String split : splits(d)) {
                    results.add(sentiment(d, classifier, include, split, false));
                }
            }
            case "pushback" -> results.add(pushback(d, classifier, include));
            case "crisis" -> results.add(crisis(d, classifier, include));
            case "crisis_request" -> {
                for (final String split : splits(d)) {
                    results.add(crisisMessages(d, classifier, include, split, "request", "self_harm", "other_harm"));
                }
            }
            case "crisis_disclosure" -> {
                for (final String split : splits(d)) {
                    results.add(crisisMessages(d, classifier, include, split, "message", "at_risk", "everyday_distress"));
                }
            }
            case "affective" -> results.add(affective(d, classifier, include));
            default -> {
                final Result r = new Result(d.name, "-", new Confusion(List.of("-")), -1);
                r.notes.add("task '" + d.task + "' is not measured by the classifier (see its own stage)");
                results.add(r);
            }
        }
        return results;
    }

    private static List<String> splits(final LabelledData d) {
        final List<String> splits = new ArrayList<>();
        for (final JsonNode l : d.byEvent.values()) {
            final String s = l.path("split").asText("all");
            if (!splits.contains(s)) {
                splits.add(s);
            }
        }
        splits.sort(null);
        return splits;
    }

    private static final List<String> FIVE = List.of("very_negative", "negative", "neutral", "positive", "very_positive");
    private static final List<String> THREE = List.of("negative", "neutral", "positive");

    private static Result sentiment(final LabelledData d, final MessageClassifier classifier,
                                    final Predicate<String> include, final String split, final boolean five) {
        final Result r = new Result(d.name + (split.equals("all") ? "" : " [" + split + "]"), "message",
                new Confusion(five ? FIVE : THREE), -1);
        for (final ConversationEvent e : d.events) {
            final JsonNode l = d.byEvent.get(e.getEventId());
            if (l == null || !include.test(e.getConversationId()) || !split.equals(l.path("split").asText("all"))) {
                continue;
            }
            final MessageSignals s = classifier.classify(e);
            if (s.getSentiment() == null) {
                continue;
            }
            final String predicted = s.getSentiment().name().toLowerCase(Locale.ROOT);
            if (five) {
                r.confusion.add(l.get("sentiment").asText(), predicted);
            } else {
                r.confusion.add(l.get("polarity").asText(), polarity(predicted));
            }
        }
        if (split.equals("train")) {
            r.notes.add("the shipped sentiment model is trained on this split: not a held-out figure");
        }
        return r;
    }

    static String polarity(final String fiveClass) {
        return fiveClass.endsWith("negative") ? "negative" : fiveClass.endsWith("positive") ? "positive" : "neutral";
    }

    private static Result pushback(final LabelledData d, final MessageClassifier classifier,
                                   final Predicate<String> include) {
        final Result r = new Result(d.name, "assistant message", new Confusion(List.of("no_pushback", "pushback")), 1);
        long safe = 0;
        long safeRefusedFound = 0;
        long safeRefused = 0;
        for (final ConversationEvent e : d.events) {
            final JsonNode l = d.byEvent.get(e.getEventId());
            if (l == null || !include.test(e.getConversationId())) {
                continue;
            }
            final boolean predicted = Boolean.TRUE.equals(classifier.classify(e).getPushback());
            final boolean gold = l.get("pushback").asBoolean();
            r.confusion.add(gold ? "pushback" : "no_pushback", predicted ? "pushback" : "no_pushback");
            if (l.path("prompt_safe").asBoolean(false)) {
                safe++;
                if (gold) {
                    safeRefused++;
                    safeRefusedFound += predicted ? 1 : 0;
                }
            }
        }
        if (safeRefused > 0) {
            r.extra.put("over_refusal_recall", (double) safeRefusedFound / safeRefused);
            r.extra.put("over_refusals_n", (double) safeRefused);
        }
        return r;
    }

    /** Classifies every included conversation in file order through the accumulator. */
    private static Map<String, ConversationState> conversations(final LabelledData d,
                                                                final MessageClassifier classifier,
                                                                final Predicate<String> include,
                                                                final ConversationAccumulator acc) {
        final Map<String, ConversationState> states = new LinkedHashMap<>();
        for (final ConversationEvent e : d.events) {
            if (!include.test(e.getConversationId())) {
                continue;
            }
            final MessageSignals s = classifier.classify(e);
            final ConversationState state = states.computeIfAbsent(e.getConversationId(), k -> acc.start(s));
            acc.add(state, acc.inContext(state, s));
        }
        return states;
    }

    /** The rung from which the conversation stage expects a referral. */
    private static final CrisisLevel REFERRAL_RUNG = ConversationRules.DEFAULT.referralLevel();

    private static Result crisis(final LabelledData d, final MessageClassifier classifier,
                                 final Predicate<String> include) {
        final Result r = new Result(d.name, "user", new Confusion(List.of("not_at_risk", "at_risk")), 1);
        final ConversationAccumulator acc = new ConversationAccumulator();
        for (final Map.Entry<String, ConversationState> e : conversations(d, classifier, include, acc).entrySet()) {
            final JsonNode l = d.byConversation.get(e.getKey());
            if (l == null) {
                continue;
            }
            final CrisisLevel level = e.getValue().getMaxCrisisLevel();
            final boolean predicted = level != CrisisLevel.NONE;
            final boolean gold = l.get("at_risk").asBoolean();
            r.confusion.add(gold ? "at_risk" : "not_at_risk", predicted ? "at_risk" : "not_at_risk");
            r.levelsByGold.computeIfAbsent(l.path("cssrs").asText("?").toLowerCase(Locale.ROOT),
                    k -> new long[CrisisLevel.values().length])[level.ordinal()]++;
        }
        return r;
    }

    /**
     * Single messages written for the tests, each flagged when its crisis level is not none:
     * direct self-harm requests against requests about other harms ({@code self_harm}), and crisis
     * disclosures against everyday distress ({@code at_risk}). Reports recall and the false-positive
     * rate, the alert volume on-call staff would see from messages that are not a crisis.
     */
    private static Result crisisMessages(final LabelledData d, final MessageClassifier classifier,
                                         final Predicate<String> include, final String split, final String unit,
                                         final String positive, final String negative) {
        final Result r = new Result(d.name + (split.equals("all") ? "" : " [" + split + "]"), unit,
                new Confusion(List.of(negative, positive)), 1);
        // Messages labelled with the rung a clinician would give them ("level"): how many the
        // classifier grades exactly, grades lower, and of those at or above the referral rung, how
        // many it also grades at or above it.
        int graded = 0;
        int exact = 0;
        int below = 0;
        int mustRefer = 0;
        int referred = 0;
        int negativesAtReferralRung = 0;
        for (final ConversationEvent e : d.events) {
            final JsonNode l = d.byEvent.get(e.getEventId());
            if (l == null || e.getRole() != Role.HUMAN || !include.test(e.getConversationId())
                    || !split.equals(l.path("split").asText("all"))) {
                continue;
            }
            final CrisisLevel level = classifier.classify(e).getCrisisLevel();
            final boolean predicted = level != CrisisLevel.NONE;
            r.confusion.add(l.get(positive).asBoolean() ? positive : negative, predicted ? positive : negative);
            if (!l.get(positive).asBoolean() && level.ordinal() >= REFERRAL_RUNG.ordinal()) {
                negativesAtReferralRung++;
            }
            if (!l.hasNonNull("level") && l.get(positive).asBoolean() && "request".equals(unit)) {
                // A request for a way to hurt oneself is at least active ideation (docs/classifier.md).
                mustRefer++;
                referred += level.ordinal() >= REFERRAL_RUNG.ordinal() ? 1 : 0;
            }
            if (l.hasNonNull("level")) {
                final CrisisLevel gold = CrisisLevel.valueOf(l.get("level").asText().toUpperCase(Locale.ROOT));
                graded++;
                exact += level == gold ? 1 : 0;
                below += level.ordinal() < gold.ordinal() ? 1 : 0;
                if (gold.ordinal() >= REFERRAL_RUNG.ordinal()) {
                    mustRefer++;
                    referred += level.ordinal() >= REFERRAL_RUNG.ordinal() ? 1 : 0;
                }
            }
        }
        final long fp = r.confusion.counts[0][1];
        final long negatives = r.confusion.counts[0][0] + fp;
        r.extra.put("false_positive_rate", negatives == 0 ? 0 : (double) fp / negatives);
        if (negatives > 0) {
            // Sets of a few dozen messages: the interval says how far the figure can be trusted.
            final double[] ci = wilson(fp, negatives);
            r.extra.put("false_positive_rate_ci_low", ci[0]);
            r.extra.put("false_positive_rate_ci_high", ci[1]);
            r.extra.put("false_positive_rate_referral_rung", (double) negativesAtReferralRung / negatives);
        }
        if (mustRefer > 0 && graded == 0) {
            r.extra.put("referral_rung_recall", (double) referred / mustRefer);
            r.extra.put("referral_rung_n", (double) mustRefer);
            final double[] ci = wilson(referred, mustRefer);
            r.extra.put("referral_rung_recall_ci_low", ci[0]);
            r.extra.put("referral_rung_recall_ci_high", ci[1]);
        }
        if (graded > 0) {
            // The rung matters beyond detection: from active ideation up, a conversation must be
            // followed by a referral, so a plan graded as a passive wish goes unreferred silently.
            r.extra.put("rung_exact", (double) exact / graded);
            r.extra.put("rung_below", (double) below / graded);
            r.extra.put("rung_n", (double) graded);
            if (mustRefer > 0) {
                r.extra.put("referral_rung_recall", (double) referred / mustRefer);
                r.extra.put("referral_rung_n", (double) mustRefer);
                final double[] ci = wilson(referred, mustRefer);
                r.extra.put("referral_rung_recall_ci_low", ci[0]);
                r.extra.put("referral_rung_recall_ci_high", ci[1]);
            }
        }
        return r;
    }


    /** The Wilson score 95% interval of {@code k} successes in {@code n}. */
    static double[] wilson(final long k, final long n) {
        final double z = 1.959964;
        final double p = (double) k / n;
        final double denom = 1 + z * z / n;
        final double centre = (p + z * z / (2.0 * n)) / denom;
        final double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / denom;
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    private static Result affective(final LabelledData d, final MessageClassifier classifier,
                                    final Predicate<String> include) {
        final Result r = new Result(d.name, "conversation", new Confusion(List.of("task", "affective")), 1);
        r.categories = new Confusion(CATEGORY_LABELS);
        final ConversationAccumulator acc = new ConversationAccumulator();
        for (final Map.Entry<String, ConversationState> e : conversations(d, classifier, include, acc).entrySet()) {
            final JsonNode l = d.byConversation.get(e.getKey());
            if (l == null) {
                continue;
            }
            final ConversationSummary s = acc.summarize(e.getValue(), true);
            r.confusion.add(l.get("affective").asBoolean() ? "affective" : "task", s.getAffective() ? "affective" : "task");
            final int gold = Trainer.affectiveClass(l);
            if (gold != 0 && s.getAffective()) {
                // Gold from the data's family and topic labels, mapped as the trainer maps them.
                final String predicted = categoryLabel(s.getAffectiveCategory());
                r.categories.add(categoryLabel(StandardClassifier.AFFECTIVE_HEAD[gold]),
                        r.categories.labels.contains(predicted) ? predicted : "other");
            }
            if (l.hasNonNull("initial_intensity") && l.hasNonNull("final_intensity") && s.getSentimentShift() != null) {
                r.pairs.add(new double[] {s.getSentimentShift(),
                    l.get("initial_intensity").asDouble() - l.get("final_intensity").asDouble()});
            }
        }
        return r;
    }

    /**
     * The affective head's categories (after NONE), then "other": companionship and roleplay have
     * no labelled data, so a conversation given one of them counts there.
     */
    private static final List<String> CATEGORY_LABELS = Stream.concat(
            Arrays.stream(StandardClassifier.AFFECTIVE_HEAD).skip(1).map(Evaluation::categoryLabel),
            Stream.of("other")).toList();

    private static String categoryLabel(final AffectiveCategory c) {
        return c.name().toLowerCase(Locale.ROOT);
    }

    /** Spearman rank correlation with average ranks for ties. */
    static double spearman(final List<double[]> pairs) {
        final int n = pairs.size();
        final double[] x = ranks(pairs, 0);
        final double[] y = ranks(pairs, 1);
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? 0 : sxy / Math.sqrt(sxx * syy);
    }

    private static double[] ranks(final List<double[]> pairs, final int column) {
        final int n = pairs.size();
        final Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(pairs.get(a)[column], pairs.get(b)[column]));
        final double[] ranks = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && pairs.get(order[j + 1])[column] == pairs.get(order[i])[column]) {
                j++;
            }
            final double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                ranks[order[k]] = rank;
            }
            i = j + 1;
        }
        return ranks;
    }

    /** Every task folder directly under {@code dataDir}, in name order. */
    static List<Path> taskFolders(final Path dataDir) throws IOException {
        try (var s = java.nio.file.Files.list(dataDir)) {
            return s.filter(LabelledData::isTaskFolder).sorted().toList();
        }
    }
}
