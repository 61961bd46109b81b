package dev.vigil.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The launcher's jobs: where their commands live and how they connect. */
class VigilCommandTest {

    @Test
    void shouldKeepEveryJobsCommandInCli() {
        final List<String> elsewhere = new ArrayList<>();
        for (final Map.Entry<String, CommandLine> job : VigilCommand.commandLine().getSubcommands().entrySet()) {
            final Class<?> type = job.getValue().getCommand().getClass();
            if (type != CommandLine.HelpCommand.class && !type.getPackageName().equals("dev.vigil.cli")) {
                elsewhere.add(job.getKey() + ": " + type.getName());
            }
        }
        assertEquals(List.of(), elsewhere);
    }

    @Test
    void shouldTakeEnumValuesAsTheJsonOutputPrintsThem() {
        final CommandLine cl = VigilCommand.commandLine();
        cl.parseArgs("run", "--referral-level", "passive_ideation");
        assertEquals(dev.vigil.schema.CrisisLevel.PASSIVE_IDEATION,
                ((RunCommand) cl.getSubcommands().get("run").getCommand()).monitoringConfig().conversationRules().referralLevel());
        final CommandLine router = VigilCommand.commandLine();
        router.parseArgs("route-alerts", "--pagerduty-min-severity", "warning");
        assertEquals(dev.vigil.schema.Severity.WARNING,
                ((RouteAlertsCommand) router.getSubcommands().get("route-alerts").getCommand()).pagerDutyMinSeverity);
    }

    @Test
    void shouldConnectEveryJobThroughTheSharedConnectionOptions() {
        final List<String> own = new ArrayList<>();
        for (final Map.Entry<String, CommandLine> job : VigilCommand.commandLine().getSubcommands().entrySet()) {
            final CommandSpec spec = job.getValue().getCommandSpec();
            if (spec.findOption("--bootstrap-servers") == null || job.getKey().equals("run")) {
                // run declares the same flags itself: without them it starts the embedded stack.
                continue;
            }
            final boolean shared = spec.mixins().values().stream()
                    .anyMatch(m -> m.userObject() instanceof ConnectionOptions);
            if (!shared) {
                own.add(job.getKey());
            }
        }
        assertEquals(List.of(), own, "jobs with connection flags of their own");
        for (final String option : List.of("--bootstrap-servers", "--schema-registry-url", "--kafka-config", "--data-dir")) {
            assertEquals(List.of(), VigilCommand.commandLine().getSubcommands().entrySet().stream()
                    .filter(j -> j.getValue().getCommandSpec().findOption("--bootstrap-servers") != null)
                    .filter(j -> j.getValue().getCommandSpec().findOption(option) == null)
                    .map(Map.Entry::getKey).toList(), "jobs that connect but lack " + option);
        }
    }
}
