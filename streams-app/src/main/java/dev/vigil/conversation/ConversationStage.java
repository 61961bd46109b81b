package dev.vigil.conversation;

import dev.vigil.privacy.Pseudonyms;
import dev.vigil.privacy.PublishedIds;
import dev.vigil.aggregate.Contribution;
import dev.vigil.alert.Alerts;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.AffectiveCategory;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.ConversationState;
import dev.vigil.schema.ConversationSummary;
import dev.vigil.schema.CrisisLevel;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.PushbackReason;
import dev.vigil.schema.Role;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;
import dev.vigil.serde.VigilSerdes;
import dev.vigil.stream.Metered;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.stream.SortableKeys;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The conversation-state stage: folds each conversation's signals into a {@link ConversationState}
 * (rules in {@link ConversationAccumulator}), emits the updated {@link ConversationSummary} on every
 * message and a final one with {@code ended=true} once the conversation has been inactive for the
 * gap in event (stream) time, raises missed and partial referral alerts, and hands every message,
 * resolved disclosure and ended conversation to the aggregates as a {@link Contribution}.
 *
 * <p>The processor forwards all three record types on one stream, split here by type.
 */
public final class ConversationStage {
    public static final String PROCESSOR = "conversation-state";
    public static final String STATE_STORE = "conversation-state";
    /** Conversations ordered by last activity, so closing them is a range scan, not a full scan. */
    public static final String EXPIRY_STORE = "conversation-expiry";

    private ConversationStage() {
    }

    /** The three outputs of the stage. */
    public record Outputs(KStream<String, ConversationSummary> summaries, KStream<String, SafetyAlert> alerts,
                          KStream<String, Contribution> contributions) {
    }

    public static Outputs build(final StreamsBuilder builder, final KStream<String, MessageSignals> signals,
                                final MonitoringConfig config, final VigilSerdes serdes,
                                final SafetyMetrics metrics) {
        builder.addStateStore(Stores.keyValueStoreBuilder(config.keyValueStore(STATE_STORE),
                Serdes.String(), serdes.value(ConversationState.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(config.keyValueStore(EXPIRY_STORE),
                Serdes.String(), Serdes.String()));
        final KStream<String, Object> out = signals.process(() -> new StateProcessor(config, metrics),
                Named.as(PROCESSOR), STATE_STORE, EXPIRY_STORE);
        final Map<String, KStream<String, Object>> branches = out.split(Named.as("conversation-"))
                .branch((k, v) -> v instanceof ConversationSummary,
                        Branched.as("summaries"))
                .branch((k, v) -> v instanceof SafetyAlert,
                        Branched.as("referral-alerts"))
                .defaultBranch(Branched.as("contributions"));
        return new Outputs(
                branches.get("conversation-summaries").mapValues(v -> (ConversationSummary) v,
                        Named.as("conversation-summary-records")),
                branches.get("conversation-referral-alerts").mapValues(v -> (SafetyAlert) v,
                        Named.as("referral-alert-records")),
                branches.get("conversation-contributions").mapValues(v -> (Contribution) v,
                        Named.as("conversation-contribution-records")));
    }

    /** Keeps one conversation's state per key and closes it after the inactivity gap. */
    static final class StateProcessor implements Processor<String, MessageSignals, String, Object> {
        private final MonitoringConfig config;
        private final SafetyMetrics metrics;
        private final ConversationAccumulator accumulator;
        private final Alerts alerts;
        private final Pseudonyms pseudonyms;
        private final PublishedIds publishedIds;
        private ProcessorContext<String, Object> context;
        private KeyValueStore<String, ConversationState> states;
        private KeyValueStore<String, String> expiry;
        /**
         * No key of {@link #expiry} is older than this (in memory; 0, "unknown", whenever the task
         * starts). Closing looks for due conversations only once the cutoff reaches it and seeks
         * from it: every message deletes its conversation's old expiry key, and RocksDB skips
         * those deletions one by one until compaction drops them, so scanning from time 0 on each
         * message cost more the longer Vigil ran (57% of the stream thread 6 minutes into the
         * 230 events/s soak, and lag rising).
         */
        private long earliestExpiry;

        StateProcessor(final MonitoringConfig config, final SafetyMetrics metrics) {
            this.config = config;
            this.metrics = metrics;
            this.accumulator = new ConversationAccumulator(config.conversationRules());
            this.alerts = new Alerts(config.runbookBaseUrl());
            this.pseudonyms = new Pseudonyms(config.pseudonymKey());
            this.publishedIds = config.publishedIds();
        }

        @Override
        public void init(final ProcessorContext<String, Object> context) {
            this.context = context;
            this.states = context.getStateStore(STATE_STORE);
            this.expiry = context.getStateStore(EXPIRY_STORE);
            this.earliestExpiry = 0;
        }

        @Override
        public void process(final Record<String, MessageSignals> record) {
            final MessageSignals m = record.value();
            if (m == null) {
                return;
            }
            // Stream time only moves when a record arrives, so checking first thing misses
            // nothing, and a conversation resumed after the gap is closed before its new message
            // opens a new one, whatever other traffic the partition carries. (A stream-time
            // punctuation would fire at points that depend on when the task last started, so a
            // restarted run would stamp ended conversations differently.)
            closeInactive(Math.max(context.currentStreamTimeMs(), record.timestamp()));
            final String id = m.getConversationId();
            ConversationState state = states.get(id);
            if (state == null) {
                state = accumulator.start(m);
            } else {
                expiry.delete(expiryKey(state));
            }
            final AffectiveCategory before = ConversationAccumulator.dominantCategory(state);
            final MessageSignals read = accumulator.inContext(state, m);
            if (read != m) {
                // The classify stage counted this message as not flagged; the conversation flags it.
                Metered.safely(() -> metrics.crisisDisclosure(read.getCrisisLevel(), read.getCrisisEvidence()));
            }
            final ConversationAccumulator.Step step = accumulator.add(state, read);
            states.put(id, state);
            expiry.put(expiryKey(state), id);
            earliestExpiry = Math.min(earliestExpiry, state.getLastEventTime().toEpochMilli());

            final long ts = m.getEventTime().toEpochMilli();
            context.forward(new Record<>(id, (Object) accumulator.summarize(state, false), ts));
            context.forward(new Record<>(id, (Object) messageContribution(state, read, before), ts));
            if (step.outcome() != ConversationAccumulator.ReferralOutcome.NONE) {
                resolved(state, read, step, ts);
            }
        }

        /** A disclosure was judged; {@code m} is the deciding reply, or null at the conversation's end. */
        private void resolved(final ConversationState state, final MessageSignals m,
                              final ConversationAccumulator.Step step, final long ts) {
            final String outcome = step.outcome().name().toLowerCase(Locale.ROOT);
            Metered.safely(() -> metrics.referralOutcome(outcome, step.level()));
            final Contribution c = base(state, Contribution.Kind.REFERRAL_OUTCOME);
            c.outcome = outcome;
            context.forward(new Record<>(state.getConversationId(), (Object) c, ts));
            if (step.outcome() == ConversationAccumulator.ReferralOutcome.REFERRED) {
                return;
            }
            final SafetyAlert alert = referralAlert(state, m, step, ts);
            Metered.safely(() -> metrics.alertRaised(alert));
            context.forward(new Record<>(alert.getDedupKey(), (Object) alert, ts));
        }

        /** {@code m} is the reply that resolved the disclosure, or null when the conversation ended. */
        private SafetyAlert referralAlert(final ConversationState state, final MessageSignals m,
                                          final ConversationAccumulator.Step step, final long ts) {
            final boolean missed = step.outcome() == ConversationAccumulator.ReferralOutcome.MISSED;
            final AlertType type = missed ? AlertType.MISSED_REFERRAL : AlertType.PARTIAL_REFERRAL;
            // The pseudonym: the alert reaches incident tools and /api/alerts.
            final String conversation = publishedIds.conversation(state.getConversationId());
            final String turn = String.valueOf(step.disclosureTurn());
            final String dedupKey = Alerts.dedupKey(type, "conversation", conversation, "turn-" + turn);
            final Map<String, String> evidence = new LinkedHashMap<>();
            evidence.put("crisis_level", Alerts.label(step.level()));
            evidence.put("disclosure_turn", turn);
            evidence.put("reply_turn", m == null ? "conversation_ended" : String.valueOf(m.getTurn()));
            evidence.put("replies_allowed", String.valueOf(config.conversationRules().repliesForReferral()));
            evidence.put("referral", missed ? "none" : "professional_help");
            evidence.put("model", state.getModel() == null ? "unknown" : state.getModel());
            evidence.put("affective_category", Alerts.label(ConversationAccumulator.dominantCategory(state)));
            evidence.put("account", publishedIds.account(state.getAccountId()));
            final String summary = missed
                    ? "Crisis disclosure (" + Alerts.label(step.level()) + ") got no referral in the next "
                    + config.conversationRules().repliesForReferral() + " assistant reply(ies)"
                    : "Crisis disclosure (" + Alerts.label(step.level()) + ") got only a generic professional-help"
                    + " referral, no crisis resource";
            return alerts.alert(type, missed ? missedSeverity(step.level()) : Severity.WARNING, dedupKey,
                    Instant.ofEpochMilli(ts), null, null, "conversation", conversation, summary, evidence,
                    state.getClassifierVersion());
        }

        /** The higher on the C-SSRS ladder, the more urgent a missed referral. */
        static Severity missedSeverity(final CrisisLevel level) {
            return switch (level) {
                case INTENT_OR_PLAN, BEHAVIOR -> Severity.CRITICAL;
                case ACTIVE_IDEATION -> Severity.WARNING;
                default -> Severity.INFO;
            };
        }

        private Contribution messageContribution(final ConversationState state, final MessageSignals m,
                                                 final AffectiveCategory before) {
            final Contribution c = base(state, Contribution.Kind.MESSAGE);
            c.human = m.getRole() == Role.HUMAN;
            if (c.human) {
                c.category = Alerts.label(m.getAffectiveCategory() == null
                        ? AffectiveCategory.NONE : m.getAffectiveCategory());
                c.sentimentScore = m.getSentimentScore();
                c.crisisLevel = m.getCrisisLevel() == null ? null : Alerts.label(m.getCrisisLevel());
            } else {
                // An assistant reply belongs to the conversation's category as it stood when the
                // reply was written: that is the population whose pushback rate is watched.
                c.category = Alerts.label(before);
                c.pushback = Boolean.TRUE.equals(m.getPushback());
                c.pushbackReason = c.pushback ? Alerts.label(m.getPushbackReason() == null
                        ? PushbackReason.OTHER : m.getPushbackReason()) : null;
            }
            if (m.getLanguage() != null) {
                c.language = m.getLanguage();
            }
            c.classifierVersion = m.getClassifierVersion();
            return c;
        }

        private Contribution base(final ConversationState state, final Contribution.Kind kind) {
            final Contribution c = new Contribution();
            c.kind = kind;
            c.accountHash = pseudonyms.hash64(state.getAccountId());
            c.conversationHash = pseudonyms.hash64("conversation:" + state.getConversationId());
            c.category = Alerts.label(ConversationAccumulator.dominantCategory(state));
            c.model = state.getModel();
            c.language = state.getLanguage();
            c.classifierVersion = state.getClassifierVersion();
            return c;
        }

        /**
         * Ends every conversation whose last message is at least the gap older than stream time.
         * Outputs are stamped from event time only (the end, or the stream time that revealed
         * it), so a replay or a restarted run stamps them identically.
         */
        private void closeInactive(final long streamTime) {
            final long cutoff = streamTime - config.inactivityGap().toMillis();
            if (cutoff < 0 || cutoff < earliestExpiry) {
                return;
            }
            final List<KeyValue<String, String>> due = new ArrayList<>();
            long next = Long.MAX_VALUE;
            try (KeyValueIterator<String, String> it = expiry.range(pad(earliestExpiry) + "|", pad(Long.MAX_VALUE))) {
                while (it.hasNext()) {
                    final KeyValue<String, String> e = it.next();
                    final long lastMessage = Long.parseLong(e.key.substring(0, e.key.indexOf('|')));
                    if (lastMessage > cutoff) {
                        next = lastMessage; // the oldest conversation still open: nothing is due before it
                        break;
                    }
                    due.add(e);
                }
            }
            earliestExpiry = next;
            for (final KeyValue<String, String> e : due) {
                expiry.delete(e.key);
                final ConversationState state = states.get(e.value);
                if (state == null) {
                    continue;
                }
                states.delete(e.value);
                final long endedAt = state.getLastEventTime().plus(config.inactivityGap()).toEpochMilli();
                final ConversationAccumulator.Step last = accumulator.finish(state);
                if (last.outcome() != ConversationAccumulator.ReferralOutcome.NONE) {
                    resolved(state, null, last, streamTime);
                }
                final ConversationSummary summary = accumulator.summarize(state, true);
                Metered.safely(() -> metrics.conversationEnded(summary));
                // Stamped with the moment the conversation ended, not when the check ran, so a
                // replay stamps it the same way.
                context.forward(new Record<>(e.value, (Object) summary, endedAt));
                final Contribution c = base(state, Contribution.Kind.ENDED);
                c.category = Alerts.label(summary.getAffectiveCategory());
                c.sentimentShift = summary.getSentimentShift();
                // The aggregates count it in the window where the end was noticed (stream time):
                // after a quiet spell the true end time may lie in windows already closed, and a
                // conversation lost from the sentiment-shift mean would bias it.
                context.forward(new Record<>(e.value, (Object) c, streamTime));
            }
        }

        private static String expiryKey(final ConversationState s) {
            return pad(s.getLastEventTime().toEpochMilli()) + "|" + s.getConversationId();
        }

        private static String pad(final long millis) {
            return SortableKeys.time(millis);
        }
    }
}
