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
            RunCommand.class,
            ProduceCommand.class,
            TailCommand.class,
            SimulateCommand.class,
            ReplayCommand.class,
            RouteAlertsCommand.class,
            ResolvePseudonymCommand.class,
            ClassifyCommand.class,
            EvalCommand.class,
            TrainCommand.class,
            BenchCommand.class,
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
        // "Usage: vigil run [OPTIONS]": the options are listed, each with its description, below.
        cl.getSubcommands().values().forEach(job -> job.getCommandSpec().usageMessage().abbreviateSynopsis(true));
        cl.setDefaultValueProvider(new EnvironmentDefaults(System.getenv()));
        // Enum values as the JSON output prints them (active_ideation) or as the schema spells
        // them (ACTIVE_IDEATION): either is accepted.
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // One way to write a duration in every job: 500ms, 90s, 5m, 2h, or ISO-8601.
        cl.registerConverter(java.time.Duration.class, new DurationConverter());
        // A problem the user can fix (bad flag value, nothing to connect to) is one line, not a
        // stack trace.
        cl.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                command.getErr().println("vigil " + command.getCommandName() + ": " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cl;
    }

    public static void main(final String[] args) {
        System.exit(commandLine().execute(args));
    }
}
