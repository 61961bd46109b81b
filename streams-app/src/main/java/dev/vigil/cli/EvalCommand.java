package dev.vigil.cli;

import dev.vigil.classify.Classifiers;
import dev.vigil.classify.Commands;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vigil eval}: the shipped classifier measured on labelled task folders. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Measure the classifier on labelled task folders.",
            "Each task folder holds events.jsonl and labels.jsonl, as in the shared data directory."})
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "Folder of task folders, or one task folder.")
    Path data;

    @Option(names = "--json", description = "Print JSON instead of tables.")
    boolean json;

    @Option(names = "--models", hidden = true, description = "Evaluate other trained weights (experiments).")
    Path models;

    @Override
    public Integer call() throws Exception {
        System.out.print(Commands.eval(models == null ? Classifiers.standard() : Commands.classifierWith(models),
                data, json));
        System.out.flush();
        return 0;
    }
}
