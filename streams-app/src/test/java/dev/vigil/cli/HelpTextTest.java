package dev.vigil.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code vigil help} and {@code vigil <job> --help} show a newcomer. */
class HelpTextTest {

    private static String help(final String... args) {
        final CommandLine cl = VigilCommand.commandLine();
        final StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        cl.execute(args);
        return out.toString();
    }

    @Test
    void shouldListEveryJobWithItsWholeSummaryOnOneLine() {
        final String list = help("help");
        final CommandLine cl = VigilCommand.commandLine();
        for (final Map.Entry<String, CommandLine> job : cl.getSubcommands().entrySet()) {
            final CommandLine.Model.UsageMessageSpec usage = job.getValue().getCommandSpec().usageMessage();
            // The list shows a job's header if it has one (picocli's own help command does), else
            // the first paragraph of its description.
            final String summary = (usage.header().length > 0 ? usage.header() : usage.description())[0];
            assertTrue(summary.endsWith("."), job.getKey() + ": the summary is a sentence: " + summary);
            final String row = "\\s+" + Pattern.quote(job.getKey()) + "\\s+" + Pattern.quote(summary);
            assertTrue(list.lines().anyMatch(l -> l.matches(row)),
                    job.getKey() + "'s summary is shown whole, on one line:\n" + list);
        }
    }

    @Test
    void shouldWriteEveryDescriptionInWholeSentences() {
        final List<String> fragments = new ArrayList<>();
        for (final CommandLine job : VigilCommand.commandLine().getSubcommands().values()) {
            final CommandSpec spec = job.getCommandSpec();
            check(spec.name(), spec.usageMessage().description(), fragments);
            for (final OptionSpec option : spec.options()) {
                check(spec.name() + " " + option.longestName(), option.description(), fragments);
            }
        }
        assertEquals(List.of(), fragments, "a line of help that stops mid-sentence");
    }

    @Test
    void shouldBreakNoHelpLineInsideAWordOrPath() {
        for (final String job : VigilCommand.commandLine().getSubcommands().keySet()) {
            final List<String> lines = help(job, "--help").lines().toList();
            for (int i = 1; i < lines.size(); i++) {
                final String before = lines.get(i - 1);
                final String line = lines.get(i).strip();
                // "../shared" cut after "..", "basic." then "auth.user.info", "github." then "com/...".
                assertTrue(!before.matches(".*[^.]\\.\\.") && !line.startsWith("/")
                        && !(before.matches(".*\\w\\.") && line.matches("^[a-z].*")),
                        job + " --help breaks a name:\n" + before + "\n" + lines.get(i));
            }
        }
    }

    /** Every element is printed as its own paragraph, so each must end as a sentence does. */
    private static void check(final String where, final String[] description, final List<String> fragments) {
        for (final String line : description) {
            final String text = line.replace("%n", "").strip();
            if (!text.isEmpty() && !text.matches("(?s).*[.:!?]\\)?$")) {
                fragments.add(where + ": " + text);
            }
        }
    }
}
