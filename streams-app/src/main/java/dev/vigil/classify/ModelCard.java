package dev.vigil.classify;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * What the shipped weights were trained on ({@code linear-models.properties} beside them), so
 * {@code vigil eval} can say when a figure is measured on training data rather than held out.
 */
final class ModelCard {
    static final String RESOURCE = "linear-models.properties";

    private ModelCard() {
    }

    /** Task folders (with split where only one split was used) the shipped heads learned from. */
    static final List<String> TRAINED_ON = List.of("sentiment-sst5[train]", "polarity-goemotions[train]",
            "crisis-cssrs", "affective", "pushback-coconot", "pushback-xstest");

    static void write(final OutputStream out, final String trainingSeconds) throws IOException {
        final Properties p = new Properties();
        final List<String> trainedOn = new java.util.ArrayList<>(TRAINED_ON);
        if (Trainer.DAILYDIALOG_WEIGHT > 0) {
            trainedOn.add(Trainer.DAILYDIALOG);
        }
        p.setProperty("trained_on", String.join(",", trainedOn));
        p.setProperty("seed", String.valueOf(Trainer.SEED));
        p.setProperty("training_seconds", trainingSeconds);
        p.setProperty("buckets", String.valueOf(Features.BUCKETS));
        // Properties.store writes a date comment; write plain sorted lines instead so retraining is reproducible.
        final StringBuilder b = new StringBuilder("# Written by `vigil train`; read by `vigil eval`.\n");
        p.stringPropertyNames().stream().sorted().forEach(k -> b.append(k).append('=').append(p.getProperty(k)).append('\n'));
        out.write(b.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    /** Task folders the shipped model was trained on (whole folder, no split suffix). */
    static List<String> trainedOnWhole() {
        try (InputStream in = ModelCard.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return List.of();
            }
            final Properties p = new Properties();
            p.load(in);
            return Arrays.stream(p.getProperty("trained_on", "").split(","))
                    .filter(s -> !s.isBlank() && !s.contains("[")).toList();
        } catch (final IOException e) {
            return List.of();
        }
    }
}
