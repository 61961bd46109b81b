package dev.vigil.metrics;

import dev.vigil.schema.ConversationSummary;
import dev.vigil.schema.CrisisEvidence;
import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;
import dev.vigil.schema.SafetyAlert;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Vigil's domain metrics. Labels are low-cardinality domain values only (role, category,
 * reason, level, kind, alert type, severity): never a conversation, account or event id,
 * never text. Prometheus names are the Micrometer names with dots as underscores
 * ({@code vigil.messages.classified} becomes {@code vigil_messages_classified_total}).
 *
 * <p>Dashboards and alert rules in {@code grafana/} and {@code deploy/} query these names:
 * rename one and both must follow.
 */
public final class SafetyMetrics {
    public static final String MESSAGES_CLASSIFIED = "vigil.messages.classified";
    public static final String CLASSIFIER_LATENCY = "vigil.classifier.latency";
    public static final String END_TO_END_LAG = "vigil.signal.lag";
    /**
     * Human-message sentiment as a histogram of {@code score + 1} (0..2). Micrometer histograms
     * take no negative values, so the -1..+1 score is offset by {@link #SENTIMENT_OFFSET}: queries
     * subtract it again (mean = sum / count - 1).
     */
    public static final String SENTIMENT = "vigil.sentiment.offset.score";
    public static final double SENTIMENT_OFFSET = 1.0;
    /** Human messages by five-point sentiment class and category. */
    public static final String SENTIMENT_MESSAGES = "vigil.sentiment.messages";
    public static final String CRISIS_DISCLOSURES = "vigil.crisis.disclosures";
    /**
     * Human messages by the tier that decided their crisis grade: fast, encoder, or
     * fast_over_budget (should have been escalated; the encoder budget was spent).
     */
    public static final String CRISIS_GRADES = "vigil.crisis.grades";
    public static final String CRISIS_ENCODER_SECONDS = "vigil.crisis.encoder.seconds";
    public static final String CRISIS_ENCODER_INPUTS = "vigil.crisis.encoder.inputs";
    public static final String PUSHBACK = "vigil.pushback";
    public static final String REFERRALS = "vigil.referrals";
    public static final String REFERRAL_OUTCOMES = "vigil.referral.outcomes";
    public static final String CONVERSATIONS_ENDED = "vigil.conversations.ended";
    /**
     * Sentiment shift (last three minus first three human messages, -2..+2) of ended conversations,
     * as a histogram of {@code shift + 2}, for the same reason as {@link #SENTIMENT}.
     */
    public static final String SENTIMENT_SHIFT = "vigil.conversation.sentiment.shift.offset";
    public static final double SENTIMENT_SHIFT_OFFSET = 2.0;
    public static final String ALERTS = "vigil.alerts.raised";
    public static final String DEAD_LETTERS = "vigil.dead.letters";
    /** Events dropped at ingest because the same event (same id, same content) had already arrived. */
    public static final String REDELIVERIES = "vigil.ingest.redeliveries";
    /** Coordinated-abuse evidence dropped at a bound, by what bound. */
    public static final String ABUSE_DROPPED = "vigil.abuse.dropped";
    public static final String AGGREGATE_CELLS = "vigil.aggregate.cells";
    /**
     * Records not added to a window because it had closed: older than grace by their own
     * partition's progress, or from a quiet partition that came back with old data.
     */
    public static final String LATE_RECORDS = "vigil.window.late.records";
    /** Ended conversations that were affective use, by category (the share the research tracks). */
    public static final String AFFECTIVE_CONVERSATIONS = "vigil.conversations.affective";
    /** Pushback messages of ended conversations, by the conversation's category and the reason. */
    public static final String CONVERSATION_PUSHBACK = "vigil.conversation.pushback";
    /** Assistant messages of ended conversations by category: the denominator of the pushback rate. */
    public static final String CONVERSATION_ASSISTANT_MESSAGES = "vigil.conversation.assistant.messages";
    /** Ended conversations with at least one pushback, by category (the "under 10%" figure). */
    public static final String CONVERSATIONS_WITH_PUSHBACK = "vigil.conversations.with.pushback";
    /** Alert deliveries of the router, by destination and outcome (delivered, retried, dead_lettered, rejected). */
    public static final String ALERT_DELIVERIES = "vigil.alert.deliveries";
    /** Time from an alert being read to it being accepted by a destination, retries included. */
    public static final String ALERT_DELIVERY_LATENCY = "vigil.alert.delivery.latency";
    /** Registry requests that failed because it was unreachable, overloaded or refused us (no labels). */
    public static final String SCHEMA_REGISTRY_ERRORS = "vigil.schema.registry.errors";
    /** 1 when the schema registry answered the last request, 0 after a failed one. */
    public static final String SCHEMA_REGISTRY_UP = "vigil.schema.registry.up";

    private final MeterRegistry registry;

    public SafetyMetrics(final MeterRegistry registry) {
        this.registry = registry;
    }

    /** Metrics that go nowhere, for tests and tools that do not serve /metrics. */
    public static SafetyMetrics noop() {
        return new SafetyMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * One flagged human message. Evidence: phrase, model (counted when the message is classified)
     * or conversation (counted by the conversation stage); a fixed set, old signals without it: none.
     */
    public void crisisDisclosure(final CrisisLevel level, final CrisisEvidence evidence) {
        registry.counter(CRISIS_DISCLOSURES, "level", label(level), "evidence", label(evidence)).increment();
    }

    /** One message left the classifier; {@code classifyNanos} is the time the classifier took. */
    public void messageClassified(final MessageSignals s, final long classifyNanos, final Instant now) {
        final String role = label(s.getRole());
        registry.counter(MESSAGES_CLASSIFIED, "role", role).increment();
        Timer.builder(CLASSIFIER_LATENCY).tag("role", role).publishPercentileHistogram()
                .register(registry).record(classifyNanos, TimeUnit.NANOSECONDS);
        final Duration lag = Duration.between(s.getEventTime(), now);
        if (!lag.isNegative()) {
            Timer.builder(END_TO_END_LAG).description("Event time of a message to its signal")
                    .publishPercentileHistogram().register(registry).record(lag);
        }
        if (s.getRole() == Role.HUMAN) {
            final String category = label(s.getAffectiveCategory());
            if (s.getSentimentScore() != null) {
                // Buckets at the five-point class boundaries (-0.6, -0.2, 0.2, 0.6, 1.0), offset.
                DistributionSummary.builder(SENTIMENT).tag("category", category)
                        .serviceLevelObjectives(0.4, 0.8, 1.2, 1.6, 2.0)
                        .register(registry).record(clamp(s.getSentimentScore(), -1.0, 1.0) + SENTIMENT_OFFSET);
            }
            if (s.getSentiment() != null) {
                registry.counter(SENTIMENT_MESSAGES, "category", category, "sentiment", label(s.getSentiment()))
                        .increment();
            }
            if (s.getCrisisLevel() != null && !"NONE".equals(s.getCrisisLevel().name())) {
                crisisDisclosure(s.getCrisisLevel(), s.getCrisisEvidence());
            }
            if (s.getCrisisTier() != null) {
                registry.counter(CRISIS_GRADES, "tier", label(s.getCrisisTier())).increment();
            }
        } else if (s.getRole() == Role.ASSISTANT) {
            if (Boolean.TRUE.equals(s.getPushback())) {
                registry.counter(PUSHBACK, "reason", label(s.getPushbackReason())).increment();
            }
            if (s.getReferral() != null && !"NONE".equals(s.getReferral().name())) {
                registry.counter(REFERRALS, "kind", label(s.getReferral())).increment();
            }
        }
    }

    /** A disclosure was resolved: {@code outcome} is referred, partial or missed. */
    public void referralOutcome(final String outcome, final Enum<?> level) {
        registry.counter(REFERRAL_OUTCOMES, "outcome", outcome.toLowerCase(Locale.ROOT), "level", label(level))
                .increment();
    }

    /** A conversation passed its inactivity gap. */
    public void conversationEnded(final ConversationSummary s) {
        final String category = label(s.getAffectiveCategory());
        registry.counter(CONVERSATIONS_ENDED, "category", category, "affective", Boolean.toString(s.getAffective()))
                .increment();
        if (s.getAffective()) {
            registry.counter(AFFECTIVE_CONVERSATIONS, "category", category).increment();
        }
        registry.counter(CONVERSATION_ASSISTANT_MESSAGES, "category", category).increment(s.getAssistantMessages());
        if (s.getPushbackCount() > 0) {
            registry.counter(CONVERSATIONS_WITH_PUSHBACK, "category", category).increment();
        }
        if (s.getPushbackByReason() != null) {
            for (final Map.Entry<String, Integer> e : s.getPushbackByReason().entrySet()) {
                // Reasons arrive as enum names; lower-case them like every other label.
                registry.counter(CONVERSATION_PUSHBACK, "category", category,
                        "reason", e.getKey().toLowerCase(Locale.ROOT)).increment(e.getValue());
            }
        }
        if (s.getSentimentShift() != null) {
            // Buckets at shifts -1, -0.5, -0.2, 0, 0.2, 0.5, 1 and 2, offset by 2.
            DistributionSummary.builder(SENTIMENT_SHIFT).tag("category", category)
                    .serviceLevelObjectives(1.0, 1.5, 1.8, 2.0, 2.2, 2.5, 3.0, 4.0)
                    .register(registry)
                    .record(clamp(s.getSentimentShift(), -2.0, 2.0) + SENTIMENT_SHIFT_OFFSET);
        }
    }

    public void alertRaised(final SafetyAlert a) {
        registry.counter(ALERTS, "type", label(a.getType()), "severity", label(a.getSeverity())).increment();
    }

    /** A record went to a dead-letter topic; {@code reason} is a fixed code, never the error text. */
    public void deadLetter(final String reason) {
        registry.counter(DEAD_LETTERS, "reason", reason).increment();
    }

    /**
     * Coordinated-abuse evidence not kept because a bound was reached: {@code what} is
     * bucket_overflow (a sighting a full bucket window had no room for), campaign_accounts or
     * campaign_messages (past a campaign's caps).
     */
    public void abuseDropped(final String what) {
        abuseDropped(what, 1);
    }

    public void abuseDropped(final String what, final long n) {
        if (n > 0) {
            registry.counter(ABUSE_DROPPED, "what", what).increment(n);
        }
    }

    /** An event already seen (same id, same content) was dropped as a producer's redelivery. */
    public void redelivery() {
        registry.counter(REDELIVERIES).increment();
    }

    /** A record reached {@code stage}'s windows after one of its windows had closed; it is not counted there. */
    public void lateRecord(final String stage) {
        registry.counter(LATE_RECORDS, "stage", stage).increment();
    }

    /** An aggregate cell was published; {@code suppressed} when it covered fewer than k accounts. */
    public void aggregateCell(final boolean suppressed) {
        registry.counter(AGGREGATE_CELLS, "suppressed", Boolean.toString(suppressed)).increment();
    }

    /**
     * The router finished with one alert at one destination. {@code outcome} is one of
     * delivered, retried (one failed attempt that will be retried), dead_lettered, rejected.
     */
    public void alertDelivery(final String destination, final String outcome) {
        registry.counter(ALERT_DELIVERIES, "destination", destination, "outcome", outcome).increment();
    }

    /** How long one alert took to be accepted by a destination, retries and waits included. */
    public void alertDeliveryLatency(final String destination, final Duration took) {
        Timer.builder(ALERT_DELIVERY_LATENCY).tag("destination", destination)
                .serviceLevelObjectives(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
                        Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(2))
                .register(registry).record(took);
    }

    public Counter counter(final String name, final String... tags) {
        return registry.counter(name, tags);
    }

    private static double clamp(final double v, final double min, final double max) {
        return Math.max(min, Math.min(max, v));
    }

    private static String label(final Enum<?> e) {
        return e == null ? "none" : e.name().toLowerCase(Locale.ROOT);
    }
}
