package dev.vigil.cli;

import dev.vigil.classify.Classifiers;
import dev.vigil.classify.Commands;
import dev.vigil.ingest.EventValidator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vigil classify}: the stream's classifier over a JSONL file of events, offline. */
@Command(name = "classify", mixinStandardHelpOptions = true,
        description = {"Classify a JSONL file of events offline.",
            "The stream's classifier turns each event into signals (and each conversation into a summary). Lines are read by the same rules as `vigil produce`, and a line the stream would dead-letter is skipped "
                    + "with its number and reason."})
public final class ClassifyCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, description = "events.jsonl (the format of ../shared/data, as for `vigil produce`).")
    Path input;

    @Option(names = "--output", required = true, description = "signals.jsonl to write.")
    Path output;

    @Option(names = "--summaries", description = "summaries.jsonl to write, one object per conversation.")
    Path summaries;

    @Option(names = "--max-text-chars", defaultValue = "" + EventValidator.DEFAULT_MAX_TEXT_CHARS,
            description = "As for `vigil run`: longer messages are skipped as the stream would dead-letter them "
                    + "(default: ${DEFAULT-VALUE}).")
    int maxTextChars;

    @Option(names = "--models", hidden = true, description = "Other trained weights (experiments).")
    Path models;

    @Override
    public Integer call() throws Exception {
        final long encoderNanos = Classifiers.semantic().encoderNanos();
        final long encoderInputs = Classifiers.semantic().encoderInputs();
        final Commands.ClassifyCounts c = Commands.classify(models == null ? Classifiers.standard()
                : Commands.classifierWith(models), new EventValidator(maxTextChars), input, output, summaries, System.err);
        System.err.printf("%d messages, %d conversations, %d bad lines skipped; classifier %s%n",
                c.messages(), c.conversations(), c.badLines(), Classifiers.standard().version());
        final double encoderSeconds = (Classifiers.semantic().encoderNanos() - encoderNanos) / 1e9;
        // What the stream's encoder budget would see: escalations per second of the input's event time.
        System.err.printf(java.util.Locale.ROOT, "crisis grade: %d of %d human messages escalated to the sentence encoder "
                        + "(%.2f%%), %d encoder inputs, %.1f CPU-s in the encoder (%.1f ms per escalation); %.2f escalations per second "
                        + "of event time%n", c.escalated(), c.humanMessages(),
                c.humanMessages() == 0 ? 0 : 100.0 * c.escalated() / c.humanMessages(),
                Classifiers.semantic().encoderInputs() - encoderInputs, encoderSeconds,
                c.escalated() == 0 ? 0 : 1000 * encoderSeconds / c.escalated(), c.escalationsPerSecond());
        return c.badLines() == 0 ? 0 : 2;
    }
}
