package dev.vigil.cli;

import dev.vigil.classify.Commands;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vigil train}: reproducibly trains the classifier's linear heads from labelled data. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the classifier's model resources from DIR (the ../shared/data layout); fixed seeds.")
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "folder of labelled task folders")
    Path data;

    @Option(names = "--output", defaultValue = "streams-app/src/main/resources/dev/vigil/classify",
            description = "where to write the model resources (default: ${DEFAULT-VALUE})")
    Path output;

    @Option(names = "--cv", description = "instead of training the shipped model, print K-fold cross-validated "
            + "figures for the tasks without a split (crisis, affective, pushback)", paramLabel = "K")
    Integer folds;

    @Option(names = "--json", description = "with --cv: print JSON")
    boolean json;

    @Option(names = "--research-data", description = "also train on research-only sources (non-commercial or "
            + "unlicensed: SST-5, ESConv, AnnoMI, DailyDialog); the model card then says the weights must not be shipped")
    boolean researchData;

    @Override
    public Integer call() throws Exception {
        if (folds != null) {
            System.out.print(Commands.crossValidate(data, folds, json, researchData, System.err));
        } else {
            Commands.train(data, output, researchData, System.err);
        }
        return 0;
    }
}
