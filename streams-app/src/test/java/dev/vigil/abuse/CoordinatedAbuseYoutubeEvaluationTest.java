package dev.vigil.abuse;

import dev.vigil.testing.TestStateDir;
import dev.vigil.privacy.Pseudonyms;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.config.Topics;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.config.MonitoringConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Measures coordinated-abuse detection on real comment spam ({@code abuse-youtube}: YouTube Spam
 * Collection, three videos, authors and times): every comment becomes a human message whose
 * signals carry {@code SimHash.ofText(text)}, exactly as the classifier computes them; the
 * comments run through the abuse stage and the alerts are read back.
 *
 * <ul>
 *   <li>precision: share of flagged accounts whose flagged comments (their comments within the
 *       alert's first/last seen that are near-duplicates of another flagged account's) are all
 *       labelled spam. Recurring generic fan comments are the hard negatives.</li>
 *   <li>recall: share of accounts that posted a spam comment shared by three or more authors
 *       ({@code duplicate_accounts >= 3}) that are flagged.</li>
 * </ul>
 *
 * <p>Run: {@code mvn -B -q -pl streams-app -am test -Dtest=CoordinatedAbuseYoutubeEvaluationTest
 * -Dsurefire.failIfNoSpecifiedTests=false}; the figures are printed on one line.
 */
class CoordinatedAbuseYoutubeEvaluationTest {
    /**
     * The comments of this data set arrive over 18 months, a campaign over weeks, not the minutes
     * of a live product: the window is 30 days advancing a week, five accounts make a campaign,
     * and a campaign stays open for 60 days of silence. Re-sending on any growth lists every
     * flagged account in the alerts.
     */
    static MonitoringConfig slowTimescale() {
        return MonitoringConfig.builder()
                .abuseWindow(Duration.ofDays(Long.getLong("eval.windowDays", 30)))
                .abuseAdvance(Duration.ofDays(Long.getLong("eval.advanceDays", 7)))
                .grace(Duration.ofDays(1))
                .abuseMinAccounts(Integer.getInteger("eval.minAccounts", 5))
                .abuseClusterTtl(Duration.ofDays(60))
                .abuseUpdateGrowth(0.0)
                .accountSampleSize(100_000)
                .persistentStores(false)
                .build();
    }

    record Comment(String eventId, String account, Instant time, long simhash, boolean spam, int duplicates,
                   String video, String group) {
    }

    @Test
    void shouldFlagSpamCampaignsOnYoutubeWithPrecisionAndRecallOfAtLeastEightyPercent() throws IOException {
        final List<Comment> comments = load(dataDir());
        final MonitoringConfig config = slowTimescale();
        final Score score = evaluate(comments, config);
        if (Boolean.getBoolean("eval.verbose")) {
            score.alerts().forEach(a -> System.out.println(a.getSubject() + " " + a.getWindowStart() + ".." + a.getWindowEnd()
                    + " accounts=" + a.getEvidence().get("accounts") + " " + a.getEvidence().get("first_seen")
                    + ".." + a.getEvidence().get("last_seen")));
        }
        System.out.printf(Locale.ROOT, "abuse-youtube: comments=%d campaigns=%d alert-records=%d flagged-accounts=%d"
                        + " precision=%.3f recall=%.3f (positives=%d, window=%s advance=%s min-accounts=%d hamming<=%d)%n",
                comments.size(), score.campaigns(), score.alerts().size(), score.flaggedAccounts(), score.precision(),
                score.recall(), score.positives(), config.abuseWindow(), config.abuseAdvance(), config.abuseMinAccounts(),
                config.abuseHamming());
        assertTrue(score.precision() >= 0.8, "precision " + score.precision());
        assertTrue(score.recall() >= 0.8, "recall " + score.recall());
    }

    static Path dataDir() {
        return Path.of(System.getProperty("vigil.shared.data", "../../shared/data"), "abuse-youtube");
    }

    /**
     * What the stage found with {@code config}, scored against the labels.
     *
     * @param precision         share of flagged accounts whose flagged comments are all spam
     * @param recall            share of accounts with a spam comment shared by three or more authors that are flagged
     * @param spamGroups        spam texts posted by three or more accounts on one video (a campaign, by the labels)
     * @param spamGroupsFound   of those, the ones with at least one flagged comment
     * @param smallGroups       spam groups of three or four accounts
     * @param smallGroupsFound  of those, the ones found
     * @param groupMessages     spam comments in the spam groups
     * @param groupMessagesFlagged of those, the flagged ones
     * @param falseCampaigns    alerted campaigns whose flagged comments are mostly not spam
     * @param hamAccounts       flagged accounts with a flagged comment that is not spam
     */
    record Score(List<SafetyAlert> alerts, long campaigns, int flaggedAccounts, double precision, double recall,
                 int positives, int spamGroups, int spamGroupsFound, int smallGroups, int smallGroupsFound,
                 int groupMessages, int groupMessagesFlagged, int falseCampaigns, int hamAccounts) {
    }

    static Score evaluate(final List<Comment> comments, final MonitoringConfig config) {
        final List<SafetyAlert> alerts = run(comments, config);
        final Pseudonyms pseudonyms = new Pseudonyms(config.pseudonymKey());
        final Map<String, String> accountOf = new HashMap<>();
        final Map<String, List<Comment>> byAccount = new HashMap<>();
        for (final Comment c : comments) {
            accountOf.put(pseudonyms.pseudonym(c.account()), c.account());
            byAccount.computeIfAbsent(c.account(), a -> new ArrayList<>()).add(c);
        }

        // account -> its flagged comments, over every alert (and re-sent alert) naming it;
        // campaign -> its flagged comments
        final Map<String, Set<Comment>> flagged = new HashMap<>();
        final Map<String, Set<Comment>> byCampaign = new HashMap<>();
        for (final SafetyAlert a : alerts) {
            final Set<String> accounts = new HashSet<>();
            for (final String p : a.getEvidence().get("account_sample").split(",")) {
                accounts.add(accountOf.get(p));
            }
            final Instant first = Instant.parse(a.getEvidence().get("first_seen"));
            final Instant last = Instant.parse(a.getEvidence().get("last_seen"));
            for (final String account : accounts) {
                final Set<Comment> mine = flagged.computeIfAbsent(account, x -> new HashSet<>());
                for (final Comment c : byAccount.get(account)) {
                    if (c.time().isBefore(first) || c.time().isAfter(last)) {
                        continue;
                    }
                    final boolean nearOther = accounts.stream().filter(o -> !o.equals(account))
                            .flatMap(o -> byAccount.get(o).stream())
                            .anyMatch(o -> SimHash.hammingDistance(o.simhash(), c.simhash()) <= config.abuseHamming());
                    if (nearOther) {
                        mine.add(c);
                        byCampaign.computeIfAbsent(a.getDedupKey(), k -> new HashSet<>()).add(c);
                    }
                }
            }
        }
        final long correct = flagged.values().stream()
                .filter(cs -> !cs.isEmpty() && cs.stream().allMatch(Comment::spam)).count();
        final Set<String> positives = new HashSet<>();
        for (final Comment c : comments) {
            if (c.spam() && c.duplicates() >= 3) {
                positives.add(c.account());
            }
        }
        final long found = positives.stream().filter(flagged::containsKey).count();
        final Set<Comment> allFlagged = new HashSet<>();
        flagged.values().forEach(allFlagged::addAll);
        // The labelled campaigns: one spam text (normalised) posted by three or more accounts on one video.
        final Map<String, List<Comment>> groups = new TreeMap<>();
        for (final Comment c : comments) {
            if (c.spam() && c.group() != null && c.duplicates() >= 3) {
                groups.computeIfAbsent(c.video() + "/" + c.group(), g -> new ArrayList<>()).add(c);
            }
        }
        int groupsFound = 0;
        int small = 0;
        int smallFound = 0;
        int messages = 0;
        int messagesFlagged = 0;
        for (final List<Comment> g : groups.values()) {
            final long flaggedHere = g.stream().filter(allFlagged::contains).count();
            final boolean isSmall = g.stream().map(Comment::account).distinct().count() <= 4;
            groupsFound += flaggedHere > 0 ? 1 : 0;
            small += isSmall ? 1 : 0;
            smallFound += isSmall && flaggedHere > 0 ? 1 : 0;
            messages += g.size();
            messagesFlagged += (int) flaggedHere;
        }
        final int falseCampaigns = (int) byCampaign.values().stream()
                .filter(cs -> cs.stream().filter(Comment::spam).count() * 2 <= cs.size()).count();
        final int hamAccounts = (int) flagged.values().stream()
                .filter(cs -> cs.stream().anyMatch(c -> !c.spam())).count();
        return new Score(alerts, alerts.stream().map(SafetyAlert::getDedupKey).distinct().count(), flagged.size(),
                flagged.isEmpty() ? 0 : (double) correct / flagged.size(), (double) found / positives.size(),
                positives.size(), groups.size(), groupsFound, small, smallFound, messages, messagesFlagged,
                falseCampaigns, hamAccounts);
    }

    static List<Comment> load(final Path dir) throws IOException {
        final ObjectMapper json = new ObjectMapper();
        final Map<String, JsonNode> labels = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(dir.resolve("labels.jsonl"))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                final JsonNode n = json.readTree(line);
                labels.put(n.get("event_id").asText(), n);
            }
        }
        final List<Comment> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(dir.resolve("events.jsonl"))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                final JsonNode e = json.readTree(line);
                final JsonNode l = labels.get(e.get("event_id").asText());
                out.add(new Comment(e.get("event_id").asText(), e.get("account_id").asText(),
                        Instant.parse(e.get("timestamp").asText()), SimHash.ofText(e.get("text").asText()),
                        l.get("spam").asBoolean(), l.get("duplicate_accounts").asInt(), l.get("video").asText(),
                        l.get("exact_group").isNull() ? null : l.get("exact_group").asText()));
            }
        }
        // The file is three videos one after another, each in time order; a live feed interleaves
        // them, so they are merged by event time (stable for equal times).
        out.sort(java.util.Comparator.comparing(Comment::time));
        return out;
    }

    /** The abuse stage alone, fed the comments as human-message signals, in their time order. */
    static List<SafetyAlert> run(final List<Comment> comments, final MonitoringConfig config) {
        final VigilSerdes serdes = VigilSerdes.plainAvro();
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "vigil-abuse-eval");
        props.put(StreamsConfig.STATE_DIR_CONFIG, TestStateDir.fresh());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG,
                BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers.class.getName());
        final StreamsBuilder builder = new StreamsBuilder(new TopologyConfig(new StreamsConfig(props)));
        final KStream<String, MessageSignals> signals = builder.stream(Topics.MESSAGE_SIGNALS,
                Consumed.with(Serdes.String(), serdes.value(MessageSignals.class)));
        CoordinatedAbuseStage.build(builder, signals, config, SafetyMetrics.noop())
                .to(Topics.ALERTS, Produced.with(Serdes.String(), serdes.value(SafetyAlert.class)));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props)) {
            final TestInputTopic<String, MessageSignals> in = driver.createInputTopic(Topics.MESSAGE_SIGNALS,
                    Serdes.String().serializer(), serdes.value(MessageSignals.class).serializer());
            final TestOutputTopic<String, SafetyAlert> out = driver.createOutputTopic(Topics.ALERTS,
                    Serdes.String().deserializer(), serdes.value(SafetyAlert.class).deserializer());
            Instant last = Instant.EPOCH;
            for (final Comment c : comments) {
                final MessageSignals s = MessageSignals.newBuilder()
                        .setEventId(c.eventId()).setConversationId(c.eventId()).setAccountId(c.account())
                        .setTurn(0).setRole(Role.HUMAN).setEventTime(c.time()).setSimhash(c.simhash())
                        .setClassifierVersion("eval").build();
                in.pipeInput(c.eventId(), s, c.time());
                last = c.time().isAfter(last) ? c.time() : last;
            }
            // Let the last windows close: event time moves on with a message nobody else sent.
            final Instant end = last.plus(config.abuseWindow()).plus(config.grace()).plus(config.abuseAdvance())
                    .plus(config.abuseAdvance());
            in.pipeInput("end", MessageSignals.newBuilder().setEventId("end").setConversationId("end")
                    .setAccountId("end").setTurn(0).setRole(Role.HUMAN).setEventTime(end)
                    .setSimhash(0x5555_5555_5555_5555L).setClassifierVersion("eval").build(), end);
            return out.readValuesToList();
        }
    }
}
