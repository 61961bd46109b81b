package dev.vigil.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code vigil} command: one launcher, one subcommand per job. Options can also come from
 * the environment: {@code VIGIL_BOOTSTRAP_SERVERS} fills {@code --bootstrap-servers}, and so on
 * (see {@link EnvironmentDefaults}).
 */
@Command(name = "vigil", mixinStandardHelpOptions = true, version = "vigil 0.1.0",
        description = "Streaming safety monitor for AI chat products.",
        subcommands = {
            CommandLine.HelpCommand.class,
            ClassifyCommand.class,
            EvalCommand.class,
            TrainCommand.class,
        })
public final class VigilCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        final CommandLine cl = new CommandLine(new VigilCommand());
        cl.setDefaultValueProvider(new EnvironmentDefaults(System.getenv()));
        return cl;
    }

    public static void main(final String[] args) {
        System.exit(commandLine().execute(args));
    }
}
