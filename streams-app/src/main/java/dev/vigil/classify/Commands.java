package dev.vigil.classify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.conversation.ConversationAccumulator;
import dev.vigil.ingest.EventReader;
import dev.vigil.ingest.EventValidator;
import dev.vigil.ingest.Rejection;
import dev.vigil.schema.ConversationState;
import dev.vigil.schema.MessageSignals;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The work behind {@code vigil classify}, {@code vigil eval} and {@code vigil train}, kept here so
 * the CLI classes only parse options and the package's internals stay package-private.
 */
public final class Commands {
    private Commands() {
    }

    /** Counts of a classify run. */
    public record ClassifyCounts(long messages, long badLines, long conversations, long humanMessages,
                                 long escalated, long eventTimeSpanMs) {
        /** Escalations per second of the input's event time (the rate the stream's budget caps). */
        public double escalationsPerSecond() {
            return eventTimeSpanMs <= 0 ? Double.NaN : escalated * 1000.0 / eventTimeSpanMs;
        }
    }

    /** {@link #classify(MessageClassifier, EventValidator, Path, Path, Path, PrintStream)} with the stream's default rules. */
    public static ClassifyCounts classify(final MessageClassifier classifier, final Path input, final Path output,
                                          final Path summaries, final PrintStream progress) throws IOException {
        return classify(classifier, new EventValidator(), input, output, summaries, progress);
    }

    /**
     * Classifies every event of {@code input} into {@code output} (one signals object a line) and,
     * if {@code summaries} is given, one summary a conversation through {@link ConversationAccumulator}.
     * A line is skipped, with its number and reason, when the stream would dead-letter it: when
     * {@link EventReader} cannot make an event of it (the rules of {@code vigil produce}) or the
     * event breaks a rule of {@code validator} (the rules of {@code vigil run}).
     */
    public static ClassifyCounts classify(final MessageClassifier classifier, final EventValidator validator,
                                          final Path input, final Path output, final Path summaries,
                                          final PrintStream progress) throws IOException {
        final long size = Files.size(input);
        final ConversationAccumulator acc = new ConversationAccumulator();
        final Map<String, ConversationState> states = new LinkedHashMap<>();
        long messages = 0;
        long bad = 0;
        long human = 0;
        long escalated = 0;
        long firstTime = Long.MAX_VALUE;
        long lastTime = Long.MIN_VALUE;
        int lastPercent = -1;
        try (EventReader reader = EventReader.open(input);
             BufferedWriter out = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            EventReader.Line line;
            while ((line = reader.next()) != null) {
                final Rejection rejection = line.ok() ? validator.check(line.event()) : line.rejection();
                if (rejection != null) {
                    bad++;
                    progress.printf(Locale.ROOT, "%nline %d skipped: %s: %s%n", line.number(), rejection.reason().code(),
                            rejection.error());
                    continue;
                }
                final MessageSignals s = classifier.classify(line.event());
                if (s.getRole() == dev.vigil.schema.Role.HUMAN) {
                    human++;
                    escalated += s.getCrisisTier() == dev.vigil.schema.CrisisTier.ENCODER ? 1 : 0;
                }
                final long t = s.getEventTime().toEpochMilli();
                firstTime = Math.min(firstTime, t);
                lastTime = Math.max(lastTime, t);
                out.write(EventJson.signals(s).toString());
                out.write('\n');
                messages++;
                if (summaries != null) {
                    // As in the stream: the signal line is the classifier's; the conversation's own
                    // crisis context (elevated messages adding up) shows in its summary.
                    final ConversationState state = states.computeIfAbsent(s.getConversationId(), k -> acc.start(s));
                    acc.add(state, acc.inContext(state, s));
                }
                final int percent = size == 0 ? 100 : (int) (100 * reader.bytesRead() / size);
                if (percent != lastPercent && size > (1 << 20)) {
                    lastPercent = percent;
                    progress.print(bar(percent, messages));
                }
            }
        }
        if (lastPercent >= 0) {
            progress.print(bar(100, messages));
            progress.println();
        }
        if (summaries != null) {
            try (BufferedWriter out = Files.newBufferedWriter(summaries, StandardCharsets.UTF_8)) {
                for (final ConversationState state : states.values()) {
                    out.write(EventJson.summary(acc.summarize(state, true)).toString());
                    out.write('\n');
                }
            }
        }
        return new ClassifyCounts(messages, bad, states.size(), human, escalated,
                messages == 0 ? 0 : lastTime - firstTime);
    }

    private static String bar(final int percent, final long messages) {
        final int width = 40;
        final int filled = Math.min(width, percent * width / 100);
        return "\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + percent + "%  " + messages + " messages";
    }

    /** A classifier over weights written by {@code vigil train --output} (experiments). */
    public static MessageClassifier classifierWith(final Path models) throws IOException {
        try (var in = Files.newInputStream(models)) {
            return Classifiers.withModels(LinearModels.read(in));
        }
    }

    /** Evaluates {@code classifier} on every task folder under {@code data}. */
    public static String eval(final MessageClassifier classifier, final Path data, final boolean json)
            throws IOException {
        final List<Path> folders = LabelledData.isTaskFolder(data) ? List.of(data) : Evaluation.taskFolders(data);
        if (folders.isEmpty()) {
            throw new IOException("no task folders (events.jsonl + labels.jsonl) under " + data);
        }
        final List<String> trainedOn = classifier == Classifiers.standard() ? ModelCard.trainedOnWhole() : List.of();
        final List<Evaluation.Result> results = new ArrayList<>();
        for (final Path folder : folders) {
            final LabelledData d = LabelledData.read(folder);
            for (final Evaluation.Result r : Evaluation.run(d, classifier, id -> true)) {
                if (trainedOn.contains(d.name)) {
                    r.notes.add("the shipped model is trained on this folder: use `vigil train --cv` for held-out figures");
                }
                results.add(r);
            }
        }
        final String licence = classifier == Classifiers.standard() ? ModelCard.licence() : null;
        if (json) {
            final ObjectNode root = EventJson.mapper().createObjectNode();
            root.put("classifier_version", classifier.version());
            if (licence != null) {
                root.put("model_licence", licence);
            }
            final ArrayNode tasks = root.putArray("tasks");
            results.forEach(r -> tasks.add(r.json()));
            return root.toPrettyString();
        }
        final StringBuilder b = new StringBuilder("classifier " + classifier.version() + "\n");
        if (licence != null) {
            b.append("model licence: ").append(licence).append('\n');
        }
        b.append('\n');
        results.forEach(r -> b.append(r.table()).append('\n'));
        return b.toString();
    }

    /**
     * Trains every head from {@code data} on the sources whose licences allow shipping the weights,
     * and writes the weights (and their model card) to {@code resources}. Returns the training time
     * in seconds.
     */
    public static double train(final Path data, final Path resources, final PrintStream log) throws IOException {
        return train(data, resources, false, log);
    }

    /**
     * As {@link #train(Path, Path, PrintStream)}; with {@code researchData} the research-only
     * sources (non-commercial or unlicensed) are trained on too, and the model card says the
     * weights must not be shipped.
     */
    public static double train(final Path data, final Path resources, final boolean researchData,
                               final PrintStream log) throws IOException {
        final long start = System.nanoTime();
        final Trainer trainer = trainer(data, researchData, log);
        final Trainer.Plan plan = System.getProperty("vigil.train.heads") == null ? Trainer.Plan.all()
                : new Trainer.Plan(EnumSet.copyOf(java.util.Arrays.stream(System.getProperty("vigil.train.heads")
                        .split(",")).map(h -> Head.valueOf(h.toUpperCase(Locale.ROOT))).toList()), id -> true, true);
        final LinearModels models = trainer.train(plan);
        final double seconds = (System.nanoTime() - start) / 1e9;
        Trainer.save(models, resources);
        try (var out = Files.newOutputStream(resources.resolve(ModelCard.RESOURCE))) {
            ModelCard.write(out, String.format(Locale.ROOT, "%.0f", seconds), trainer.sources());
        }
        if (researchData) {
            log.println("trained on research-only sources (" + TrainingSource.researchOnly(trainer.sources()).stream()
                    .map(TrainingSource::label).collect(java.util.stream.Collectors.joining(", "))
                    + "): these weights must not be shipped; the model card says so");
        }
        log.printf(Locale.ROOT, "trained in %.1f s -> %s (sha256 %s)%n", seconds,
                resources.resolve(LinearModels.RESOURCE), models.contentHash().substring(0, 12));
        return seconds;
    }

    /**
     * Held-out figures for the tasks without a split: {@code folds}-fold cross-validation by
     * conversation (by prompt for XSTest) for crisis, affective use and pushback, and the
     * cross-source figure for pushback (trained on CoCoNot only, measured on all of XSTest).
     */
    public static String crossValidate(final Path data, final int folds, final boolean json, final PrintStream log)
            throws IOException {
        return crossValidate(data, folds, json, false, log);
    }

    /** As {@link #crossValidate(Path, int, boolean, PrintStream)}, training on research-only sources too if asked. */
    public static String crossValidate(final Path data, final int folds, final boolean json, final boolean researchData,
                                       final PrintStream log) throws IOException {
        final Trainer trainer = trainer(data, researchData, log);
        log.println("base model (sentiment head, needed for the affective sentiment-shift figure):");
        final LinearModels base = trainer.train(new Trainer.Plan(EnumSet.of(Head.SENTIMENT), id -> true, false));
        final List<Evaluation.Result> results = new ArrayList<>();
        results.add(cv(trainer, base, "crisis-cssrs", Head.CRISIS, folds, true, log));
        results.add(cv(trainer, base, "affective", Head.AFFECTIVE, folds, true, log));
        results.add(cv(trainer, base, "pushback-xstest", Head.PUSHBACK, folds, true, log));
        if (Trainer.DAILYDIALOG_WEIGHT > 0) {
            // An experiment (off by default): the sentiment head learns from DailyDialog too. Its
            // figure is cross-validated (each fold's head trained afresh without the fold), and the
            // other sentiment sets are measured with a head trained on all of it, since one head serves all.
            results.add(cv(trainer, new LinearModels(), Trainer.DAILYDIALOG, Head.SENTIMENT, folds, false, log));
            log.println("sentiment head trained with " + Trainer.DAILYDIALOG);
            final StandardClassifier withDaily = Classifiers.withModels(
                    trainer.train(new Trainer.Plan(EnumSet.of(Head.SENTIMENT), id -> true, false)));
            for (final String folder : List.of("sentiment-sst5", "polarity-goemotions")) {
                for (final Evaluation.Result r : Evaluation.run(trainer.folder(folder), withDaily, id -> true)) {
                    if (!r.task.endsWith("[train]")) {
                        results.add(r.renamed(r.task + " (sentiment head trained with " + Trainer.DAILYDIALOG + ")"));
                    }
                }
            }
        }
        log.println("cross-source: pushback trained on pushback-coconot only");
        final LinearModels coconotOnly = trainer.trainInto(base,
                new Trainer.Plan(EnumSet.of(Head.PUSHBACK), id -> true, false));
        final Evaluation.Result cross = Evaluation.run(trainer.folder("pushback-xstest"),
                Classifiers.withModels(coconotOnly), id -> true).get(0);
        results.add(cross.renamed("pushback-xstest (trained on pushback-coconot only)"));
        if (json) {
            final ArrayNode tasks = EventJson.mapper().createArrayNode();
            results.forEach(r -> tasks.add(r.json()));
            return tasks.toPrettyString();
        }
        final StringBuilder b = new StringBuilder();
        results.forEach(r -> b.append(r.table()).append('\n'));
        return b.toString();
    }

    private static Trainer trainer(final Path data, final boolean researchData, final PrintStream log) {
        final Trainer trainer = new Trainer(data, log, researchData ? TrainingSource.all() : TrainingSource.redistributable());
        log.println("training sources: " + trainer.sources().stream().map(TrainingSource::label)
                .collect(java.util.stream.Collectors.joining(", ")));
        return trainer;
    }

    private static Evaluation.Result cv(final Trainer trainer, final LinearModels base, final String folder,
                                        final Head head, final int folds, final boolean xstest, final PrintStream log)
            throws IOException {
        final LabelledData d = trainer.folder(folder);
        Evaluation.Result pooled = null;
        for (int f = 0; f < folds; f++) {
            final int fold = f;
            log.printf(Locale.ROOT, "%s fold %d/%d%n", folder, f + 1, folds);
            final LinearModels m = trainer.trainInto(base, new Trainer.Plan(EnumSet.of(head),
                    id -> LabelledData.fold(id, folds) != fold, xstest));
            final StandardClassifier clf = Classifiers.withModels(m);
            final Evaluation.Result r = Evaluation.run(d, clf, id -> LabelledData.fold(id, folds) == fold).get(0);
            final String dump = System.getProperty("vigil.cv.dump");
            if (dump != null) {
                // Held-out predictions by event id (no text), for error analysis: each message as
                // the classifier grades it, without its conversation's crisis context.
                final StandardClassifier fresh = Classifiers.withModels(m);
                try (var w = Files.newBufferedWriter(Path.of(dump + "-" + folder + ".tsv"), StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
                    for (final dev.vigil.schema.ConversationEvent e : d.events) {
                        if (LabelledData.fold(e.getConversationId(), folds) == fold) {
                            final MessageSignals s = fresh.classify(e);
                            w.write(e.getEventId() + "\t" + s.getPushback() + "\t" + s.getCrisisLevel() + "\t"
                                    + s.getCrisisScore() + "\t" + s.getAffectiveScore() + "\t" + s.getAffectiveCategory()
                                    + "\t" + s.getTokenCount() + "\n");
                        }
                    }
                }
            }
            if (pooled == null) {
                pooled = new Evaluation.Result(folder + " (" + folds + "-fold cross-validation)", r.unit,
                        new Evaluation.Confusion(r.confusion.labels), r.positive);
            }
            pooled.merge(r);
        }
        return pooled;
    }
}
