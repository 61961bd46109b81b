package dev.vigil.cli;

import dev.vigil.classify.Commands;
import dev.vigil.classify.train.CrisisTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vigil train}: reproducibly trains the classifier's linear heads from labelled data. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train the classifier's models from labelled data.",
            "Reads task folders of events.jsonl and labels.jsonl, as in the shared data directory, with fixed seeds, "
                    + "so the shipped model resources are reproduced exactly."})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "Folder of labelled task folders.")
    Path data;

    @Option(names = "--output", defaultValue = "streams-app/src/main/resources/dev/vigil/classify",
            description = "Where to write the model resources (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--cv", description = "Instead of training the shipped model, print K-fold cross-validated "
            + "figures for the tasks without a split (crisis, affective, pushback).", paramLabel = "K")
    Integer folds;

    @Option(names = "--json", description = "With --cv: print JSON.")
    boolean json;

    @Option(names = "--research-data", description = "Also train on research-only sources (non-commercial or "
            + "unlicensed: SST-5, ESConv, AnnoMI, DailyDialog); the model card then says the weights must not be shipped.")
    boolean researchData;

    @Option(names = "--only", description = "Train one part: linear (the hashed heads) or crisis (the semantic "
            + "crisis tier: static vectors distilled from the sentence encoder and its grade heads, about eight "
            + "minutes); default both.", paramLabel = "PART")
    String only;

    @Option(names = "--repository", defaultValue = ".", description = "The repository root, where the crisis tier's "
            + "training sets are (default: the current folder).")
    Path repository;

    @Override
    public Integer call() throws Exception {
        if (folds != null) {
            System.out.print(Commands.crossValidate(data, folds, json, researchData, System.err));
        } else {
            if (only != null && !only.equals("linear") && !only.equals("crisis")) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--only takes linear or crisis, not " + only);
            }
            if (only == null || only.equals("linear")) {
                Commands.train(data, output, researchData, System.err);
            }
            if (only == null || only.equals("crisis")) {
                System.err.println("semantic crisis tier:");
                CrisisTrainer.trainAndSave(repository, data, output, System.err);
            }
        }
        return 0;
    }
}
