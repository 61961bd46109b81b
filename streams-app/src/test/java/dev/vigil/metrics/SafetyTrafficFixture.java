package dev.vigil.metrics;

import dev.vigil.schema.AffectiveCategory;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.ConversationSummary;
import dev.vigil.schema.CrisisEvidence;
import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.PushbackReason;
import dev.vigil.schema.Referral;
import dev.vigil.schema.ReferralStatus;
import dev.vigil.schema.Role;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Sentiment;
import dev.vigil.schema.Severity;

import java.time.Instant;
import java.util.Map;
import java.util.Random;

/**
 * Test double for the running pipeline's metric calls: feeds {@link SafetyMetrics} the calls the
 * stages make for a stream of conversations (classification of each message, conversation ends,
 * referral outcomes, alerts, dead letters, aggregate cells), with realistic mixes of categories,
 * reasons and levels. Ids are generated and must never appear in the exposition.
 */
public final class SafetyTrafficFixture {
    public static final String VERSION = "test-classifier-1";
    private final SafetyMetrics metrics;
    private final Random random;
    private int conversation;

    public SafetyTrafficFixture(final SafetyMetrics metrics, final long seed) {
        this.metrics = metrics;
        this.random = new Random(seed);
    }

    /** Classifies and ends {@code n} conversations, raising the alerts they would raise. */
    public void conversations(final int n, final Instant now) {
        final AffectiveCategory[] categories = AffectiveCategory.values();
        final PushbackReason[] reasons = PushbackReason.values();
        for (int i = 0; i < n; i++) {
            final String id = "conv-" + (conversation++);
            final AffectiveCategory category = categories[random.nextInt(categories.length)];
            final boolean crisis = random.nextInt(5) == 0;
            final ReferralStatus status = !crisis ? ReferralStatus.NOT_APPLICABLE
                    : ReferralStatus.values()[1 + random.nextInt(3)];
            int pushbacks = 0;
            final int turns = 6 + random.nextInt(6);
            for (int t = 0; t < turns; t++) {
                final boolean human = t % 2 == 0;
                final MessageSignals.Builder s = MessageSignals.newBuilder()
                        .setEventId(id + "-" + t).setConversationId(id).setAccountId("acct-" + random.nextInt(50))
                        .setTurn(t).setRole(human ? Role.HUMAN : Role.ASSISTANT)
                        .setEventTime(now.minusMillis(200 + random.nextInt(2000)))
                        .setModel("model-a").setLanguage("en").setClassifierVersion(VERSION);
                if (human) {
                    final Sentiment sentiment = Sentiment.values()[random.nextInt(5)];
                    s.setSentiment(sentiment).setSentimentScore((sentiment.ordinal() - 2) / 2.0)
                            .setAffectiveCategory(category)
                            .setCrisisLevel(crisis && t == 2 ? CrisisLevel.ACTIVE_IDEATION : CrisisLevel.NONE)
                            .setCrisisEvidence(crisis && t == 2 ? CrisisEvidence.PHRASE : CrisisEvidence.NONE);
                } else {
                    final boolean pushback = random.nextInt(8) == 0 || (crisis && t == 3);
                    s.setPushback(pushback);
                    if (pushback) {
                        pushbacks++;
                        s.setPushbackReason(crisis ? PushbackReason.SELF_HARM_SAFETY
                                : reasons[random.nextInt(reasons.length)]);
                    }
                    s.setReferral(crisis && t == 3 && status == ReferralStatus.REFERRED ? Referral.CRISIS_LINE
                            : crisis && t == 3 && status == ReferralStatus.PARTIAL ? Referral.PROFESSIONAL_HELP
                            : Referral.NONE);
                }
                metrics.messageClassified(s.build(), 200_000L + random.nextInt(3_000_000), now);
            }
            if (crisis) {
                metrics.referralOutcome(status.name(), CrisisLevel.ACTIVE_IDEATION);
                if (status == ReferralStatus.MISSED || status == ReferralStatus.PARTIAL) {
                    // What the alert router reports for the alert it delivers.
                    metrics.alertDelivery("pagerduty", "delivered");
                    metrics.alertDeliveryLatency("pagerduty", java.time.Duration.ofMillis(80 + random.nextInt(400)));
                    metrics.alertRaised(alert(status == ReferralStatus.MISSED ? AlertType.MISSED_REFERRAL
                            : AlertType.PARTIAL_REFERRAL, status == ReferralStatus.MISSED ? Severity.CRITICAL
                            : Severity.WARNING, id, now));
                }
            }
            metrics.conversationEnded(ConversationSummary.newBuilder()
                    .setConversationId(id).setAccountId("acct-1").setFirstEventTime(now.minusSeconds(600))
                    .setLastEventTime(now).setHumanMessages((turns + 1) / 2).setAssistantMessages(turns / 2)
                    .setAffective(category != AffectiveCategory.NONE).setAffectiveCategory(category)
                    .setSentimentStart(-0.25).setSentimentEnd(0.1).setSentimentShift(random.nextDouble() - 0.3)
                    .setMaxCrisisLevel(crisis ? CrisisLevel.ACTIVE_IDEATION : CrisisLevel.NONE)
                    .setReferralStatus(status).setPushbackCount(pushbacks)
                    .setPushbackByReason(pushbacks == 0 ? Map.of()
                            : Map.of(crisis ? "SELF_HARM_SAFETY" : "NEGATIVE_SELF_TALK", pushbacks))
                    .setClassifierVersion(VERSION).setEnded(true).build());
            metrics.aggregateCell(random.nextInt(4) == 0);
        }
        if (random.nextInt(3) == 0) {
            metrics.alertRaised(alert(AlertType.COORDINATED_ABUSE, Severity.WARNING, "cluster-" + conversation, now));
        }
        metrics.deadLetter("schema_mismatch");
    }

    public static SafetyAlert alert(final AlertType type, final Severity severity, final String subject,
                                    final Instant at) {
        final String dedup = type.name().toLowerCase() + ":" + subject;
        return SafetyAlert.newBuilder()
                .setAlertId("a-" + Integer.toHexString(dedup.hashCode()))
                .setDedupKey(dedup).setType(type).setSeverity(severity).setRaisedAt(at)
                .setSubjectKind(type == AlertType.COORDINATED_ABUSE ? "cluster" : "conversation")
                .setSubject(subject)
                .setSummary(type + " for " + subject)
                .setEvidence(Map.of("crisis_level", "ACTIVE_IDEATION", "replies_checked", "1"))
                .setRunbookUrl("https://github.com/vigil-safety/vigil/blob/main/docs/runbooks/missed-referral.md")
                .setClassifierVersion(VERSION)
                .build();
    }
}
