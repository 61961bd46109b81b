package dev.vigil.cli;

import dev.vigil.schema.CrisisLevel;
import dev.vigil.config.MonitoringConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How {@code vigil run}'s flags become the monitoring settings, with and without {@code --demo}. */
class RunCommandOptionsTest {

    private static RunCommand parse(final String... args) {
        final RunCommand run = new RunCommand();
        final CommandLine cl = new CommandLine(run);
        cl.setDefaultValueProvider(new EnvironmentDefaults(Map.of()));
        cl.parseArgs(args);
        return run;
    }

    @Test
    void shouldUseTheDefaultsWithoutFlags() {
        assertEquals(MonitoringConfig.defaults(), parse().monitoringConfig());
    }

    @Test
    void shouldUseShortWindowsAndSmallKUnderDemo() {
        final MonitoringConfig demo = parse("--demo").monitoringConfig();
        assertEquals(Duration.ofMinutes(1), demo.aggregateWindows().get(0).size());
        assertEquals(Duration.ofMinutes(1), demo.abuseWindow());
        assertEquals(3, demo.k());
        assertEquals(Duration.ofSeconds(5), demo.grace());
        assertEquals(demo.aggregateWindows().size() - 1, demo.alertWindow());
    }

    @Test
    void shouldLetAFlagWinOverTheDemoSetting() {
        final MonitoringConfig c = parse("--demo", "--k", "7", "--grace", "30s").monitoringConfig();
        assertEquals(7, c.k());
        assertEquals(Duration.ofSeconds(30), c.grace());
        assertEquals(Duration.ofMinutes(1), c.abuseWindow(), "unset flags keep the demo value");
    }

    @Test
    void shouldJudgeRateAlertsOnTheLastAggregateWindowGiven() {
        final MonitoringConfig c = parse("--aggregate-windows", "2m/1m").monitoringConfig();
        assertEquals(List.of(new MonitoringConfig.WindowSpec(Duration.ofMinutes(2), Duration.ofMinutes(1))),
                c.aggregateWindows());
        assertEquals(0, c.alertWindow());
        final MonitoringConfig two = parse("--aggregate-windows", "10m/1m,2h").monitoringConfig();
        assertEquals(new MonitoringConfig.WindowSpec(Duration.ofHours(2), Duration.ofHours(2)), two.alertWindowSpec(),
                "a bare size is a tumbling window");
    }

    @Test
    void shouldPassReferralAndAbuseSettingsThrough() {
        final MonitoringConfig c = parse("--referral-level", "PASSIVE_IDEATION", "--referral-replies", "2",
                "--abuse-window", "30m", "--abuse-advance", "5m", "--abuse-threshold", "8",
                "--abuse-burst-ratio", "4.5",
                "--inactivity-gap", "10m", "--runbook-base-url", "https://runbooks.example/").monitoringConfig();
        assertEquals(CrisisLevel.PASSIVE_IDEATION, c.conversationRules().referralLevel());
        assertEquals(2, c.conversationRules().repliesForReferral());
        assertEquals(Duration.ofMinutes(30), c.abuseWindow());
        assertEquals(Duration.ofMinutes(5), c.abuseAdvance());
        assertEquals(8, c.abuseMinAccounts());
        assertEquals(4.5, c.abuseBurstRatio());
        assertEquals(Duration.ofMinutes(10), c.inactivityGap());
        assertEquals("https://runbooks.example/", c.runbookBaseUrl());
    }

    @Test
    void shouldRejectAWindowThatAdvancesMoreThanItsSize() {
        assertThrows(CommandLine.ParameterException.class, () -> parse("--aggregate-windows", "1m/5m"));
    }

    @Test
    void shouldPrintDurationsInTheFormTheFlagsTake() {
        assertEquals("90s", RunCommand.human(Duration.ofSeconds(90)));
        assertEquals("5m", RunCommand.human(Duration.ofMinutes(5)));
        assertEquals("2h", RunCommand.human(Duration.ofHours(2)));
    }

    @Test
    void shouldPrintAStatusLineEveryMinuteUnlessTurnedOff() {
        assertEquals(Duration.ofMinutes(1), parse().statusInterval);
        assertEquals(Duration.ofSeconds(30), parse("--status-interval", "30s").statusInterval);
        assertEquals(Duration.ZERO, parse("--status-interval", "0").statusInterval, "0 turns it off");
    }

    @Test
    void shouldTakeTheCommitIntervalAsADurationLikeEveryOtherTime() {
        assertEquals(Duration.ofMillis(100), parse().commitInterval);
        assertEquals(Duration.ofMillis(250), parse("--commit-interval", "250ms").commitInterval);
        assertEquals(Duration.ofSeconds(1), parse("--commit-interval", "1s").commitInterval);
    }

    private static RunCommand parse(final Map<String, String> env, final String... args) {
        final RunCommand run = new RunCommand(env);
        final CommandLine cl = new CommandLine(run);
        cl.setDefaultValueProvider(new EnvironmentDefaults(env));
        cl.parseArgs(args);
        return run;
    }

    @Test
    void shouldTakeTheHttpTokenFromItsFileOrTheEnvironmentAndNeverFromAFlag(@TempDir final Path dir) throws Exception {
        final String token = "0123456789abcdef0123456789abcdef";
        assertNull(parse(Map.of()).httpToken(), "no token: the views are open, as before");
        assertNull(parse(Map.of("VIGIL_HTTP_TOKEN", "  ")).httpToken());
        assertNotNull(parse(Map.of("VIGIL_HTTP_TOKEN", token)).httpToken());
        final Path file = dir.resolve("token");
        Files.writeString(file, token + "\n");
        assertNotNull(parse(Map.of(), "--http-token-file", file.toString()).httpToken(), "a trailing newline is fine");
        assertNotNull(parse(Map.of("VIGIL_HTTP_TOKEN_FILE", file.toString())).httpToken(), "the file from the environment");
        assertThrows(CommandLine.UnmatchedArgumentException.class, () -> parse(Map.of(), "--http-token", token),
                "a token on the command line would show in ps");
    }

    @Test
    void shouldRefuseToStartWithATokenItCannotUse(@TempDir final Path dir) throws Exception {
        assertThrows(IllegalArgumentException.class, () -> parse(Map.of("VIGIL_HTTP_TOKEN", "short")).httpToken());
        final Path empty = dir.resolve("empty");
        Files.writeString(empty, "\n");
        assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--http-token-file", empty.toString()).httpToken(),
                "an empty token file is a mistake, not 'no token'");
        final IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> parse(Map.of(), "--http-token-file", dir.resolve("absent").toString()).httpToken());
        assertTrue(missing.getMessage().contains("--http-token-file"), missing.getMessage());
        final Path secret = dir.resolve("bad");
        Files.writeString(secret, "not a bearer token, has spaces");
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> parse(Map.of(), "--http-token-file", secret.toString()).httpToken());
        assertFalse(bad.getMessage().contains("has spaces"), "the token is never echoed: " + bad.getMessage());
    }
}
