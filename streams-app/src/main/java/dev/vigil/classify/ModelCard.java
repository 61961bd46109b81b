package dev.vigil.classify;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the shipped weights were trained on ({@code linear-models.properties} beside them): the
 * folders, so {@code vigil eval} can say when a figure is measured on training data rather than
 * held out, and the sources with their licences, so anyone can see whether the weights may ship.
 */
final class ModelCard {
    static final String RESOURCE = "linear-models.properties";

    private ModelCard() {
    }

    /**
     * Task folders (with split where only one split was used) that heads trained on {@code sources}
     * learned from. The affective folder counts when any of its sources is used: its figures are
     * then partly in-sample.
     */
    static List<String> trainedOn(final Set<TrainingSource> sources) {
        final List<String> folders = new ArrayList<>();
        if (sources.contains(TrainingSource.SST5)) {
            folders.add("sentiment-sst5[train]");
        }
        if (sources.contains(TrainingSource.GOEMOTIONS)) {
            folders.add("polarity-goemotions[train]");
        }
        if (sources.contains(TrainingSource.CSSRS)) {
            folders.add("crisis-cssrs");
        }
        if (sources.stream().anyMatch(s -> s.folder.equals("affective"))) {
            folders.add("affective");
        }
        if (sources.contains(TrainingSource.COCONOT)) {
            folders.add("pushback-coconot");
        }
        if (sources.contains(TrainingSource.XSTEST)) {
            folders.add("pushback-xstest");
        }
        if (Trainer.DAILYDIALOG_WEIGHT > 0 && sources.contains(TrainingSource.DAILYDIALOG)) {
            folders.add(Trainer.DAILYDIALOG);
        }
        return folders;
    }

    /**
     * Writes the card of weights trained on {@code sources}: the folders, each source with its
     * licence, and whether the weights may be shipped. Weights trained on a research-only source
     * say so in {@code licence}, which {@code vigil eval} prints.
     */
    static void write(final OutputStream out, final String trainingSeconds, final Set<TrainingSource> sources)
            throws IOException {
        final Properties p = new Properties();
        p.setProperty("trained_on", String.join(",", trainedOn(sources)));
        p.setProperty("sources", sources.stream().map(TrainingSource::label).collect(Collectors.joining(", ")));
        p.setProperty("not_trained_on", TrainingSource.all().stream().filter(s -> !sources.contains(s))
                .map(s -> s.redistributable ? s.label() : s.title + " (" + s.licence + "; research only)")
                .collect(Collectors.joining(", ")));
        final Set<TrainingSource> research = TrainingSource.researchOnly(sources);
        p.setProperty("licence", research.isEmpty()
                ? "redistributable: every training source's licence allows shipping these weights"
                : RESEARCH_ONLY + ": trained on " + research.stream().map(TrainingSource::label)
                        .collect(Collectors.joining(", ")) + "; do not ship or use commercially");
        p.setProperty("seed", String.valueOf(Trainer.SEED));
        p.setProperty("training_seconds", trainingSeconds);
        p.setProperty("buckets", String.valueOf(Features.BUCKETS));
        // Properties.store writes a date comment; write plain sorted lines instead so retraining is reproducible.
        final StringBuilder b = new StringBuilder("# Written by `vigil train`; read by `vigil eval`.\n");
        p.stringPropertyNames().stream().sorted().forEach(k -> b.append(k).append('=').append(p.getProperty(k)).append('\n'));
        out.write(b.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    static final String RESEARCH_ONLY = "RESEARCH ONLY";

    /** The shipped card's {@code licence} line, or null if the card has none. */
    static String licence() {
        final Properties p = load();
        return p == null ? null : p.getProperty("licence");
    }

    private static Properties load() {
        try (InputStream in = ModelCard.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return null;
            }
            final Properties p = new Properties();
            p.load(in);
            return p;
        } catch (final IOException e) {
            return null;
        }
    }

    /** Task folders the shipped model was trained on (whole folder, no split suffix). */
    static List<String> trainedOnWhole() {
        final Properties p = load();
        if (p == null) {
            return List.of();
        }
        return Arrays.stream(p.getProperty("trained_on", "").split(","))
                .filter(s -> !s.isBlank() && !s.contains("[")).toList();
    }
}
