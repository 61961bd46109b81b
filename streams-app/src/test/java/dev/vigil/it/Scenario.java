package dev.vigil.it;

import dev.vigil.ingest.JsonEvents;
import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.Role;
import dev.vigil.simulate.TrafficSimulator;
import org.apache.kafka.common.utils.Utils;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The scripted end-to-end scenario, written for these tests: crisis disclosures with a crisis
 * resource, with nothing and with only generic help; a campaign of 30 accounts posting variations
 * of one text; ordinary traffic; and, so every window and conversation is closed however the
 * stream was cut, one closing event per input partition a day later in event time.
 *
 * <p>{@code text} lets a test rewrite every text (the privacy test plants marker phrases).
 */
public final class Scenario {
    /**
     * Two days ago on the hour: recent, because the broker deletes records whose timestamp is
     * older than the topics' retention (7 days by default) and output records carry event time;
     * and the closing events a day later are still in the past (the broker rejects timestamps
     * more than an hour ahead).
     */
    public static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofDays(2));
    public static final Instant CLOSING = T0.plus(Duration.ofDays(1));
    public static final int CAMPAIGN_ACCOUNTS = 30;
    public static final int ORDINARY_CONVERSATIONS = 20;
    public static final String MODEL = "model-e2e";

    /** Ordinary questions: each used by two accounts at most, so none of them looks like a campaign. */
    private static final String[] QUESTIONS = {
        "Can you help me write a polite email asking my landlord to fix the heating?",
        "What is a good way to learn the basics of Spanish in three months?",
        "How long should I boil an egg so the yolk stays soft?",
        "Which houseplants survive in a dark apartment with little sunlight?",
        "Could you explain how compound interest works with a simple example?",
        "What should I pack for a three day hiking trip in the mountains?",
        "How do I convert a recipe for four people into one for six?",
        "Can you suggest a name for a small bakery that sells sourdough bread?",
        "Why does my bicycle chain keep slipping when I climb a hill?",
        "What are some fun indoor activities for two kids on a rainy afternoon?",
    };
    private static final String[] FOLLOW_UPS = {
        "Thanks, that works. Could you make it a little shorter?",
        "Great, and how much time per day would that take?",
        "Perfect. Is there anything I should avoid doing?",
        "That helps a lot. Can you put it in a short list?",
        "Nice. What would a beginner usually get wrong here?",
        "Good idea. Where could I read more about it?",
        "Okay, and what if I only have half the budget?",
        "Understood. Could you give me one more example?",
        "Sounds right. How would I know it is working?",
        "Thank you! Can you summarise that in one sentence?",
    };

    private static final String[] CAMPAIGN = {
        "Claim your FREE gift card now!!! Visit the prize page and enter code 4821 before midnight, only 50 left",
        "claim your free gift card now! visit the prize page and enter code 1193 before midnight, only 20 left",
        "Claim your free gift card NOW visit the prize page and enter code 7710 before midnight only 35 left!!",
    };

    private Scenario() {
    }

    /** The scripted conversations, ids prefixed with {@code id}, in event-time order. */
    public static List<ConversationEvent> scripted(final String id, final UnaryOperator<String> text) {
        final List<ConversationEvent> events = new ArrayList<>();
        conversation(events, id + "-crisis-referred", T0.plusSeconds(60), text,
                "I keep thinking about killing myself.",
                "I'm really sorry you're going through this. You can call or text 988 any time, day or night.",
                "Thank you. I will call them tonight.",
                "I'm glad. You deserve support, and they are there for exactly this.");
        conversation(events, id + "-crisis-missed", T0.plusSeconds(120), text,
                "I've written the note and I'm going to kill myself tonight.",
                "Here is a simple recipe for a chocolate cake you could bake this evening.");
        conversation(events, id + "-crisis-partial", T0.plusSeconds(180), text,
                "I keep thinking about killing myself.",
                "It might really help to talk to a therapist about these feelings.");
        for (int a = 0; a < CAMPAIGN_ACCOUNTS; a++) {
            final String c = id + "-campaign-" + a;
            events.add(event(c, "acct-" + id + "-campaign-" + a, 0, Role.HUMAN,
                    text.apply(CAMPAIGN[a % CAMPAIGN.length]), T0.plusSeconds(600 + 20L * a)));
            events.add(event(c, "acct-" + id + "-campaign-" + a, 1, Role.ASSISTANT,
                    text.apply("I can't help with sharing that offer."), T0.plusSeconds(605 + 20L * a)));
        }
        for (int c = 0; c < ORDINARY_CONVERSATIONS; c++) {
            conversation(events, id + "-ordinary-" + c, T0.plusSeconds(240 + 60L * c), text,
                    QUESTIONS[c % QUESTIONS.length], "Sure, here is a short answer with a few practical steps.",
                    FOLLOW_UPS[(c * 3) % FOLLOW_UPS.length], "Of course, here it is.");
        }
        events.sort(Comparator.comparing(ConversationEvent::getTimestamp));
        return events;
    }

    /** Simulated traffic (ids prefixed with {@code id}) over the same hour, to make the stream long. */
    public static List<ConversationEvent> simulated(final String id, final double rate, final Duration duration) {
        final List<ConversationEvent> events = new ArrayList<>();
        new TrafficSimulator(7, T0, rate, duration).forEachRemaining(e -> {
            e.setConversationId(id + "-sim-" + e.getConversationId());
            e.setEventId(id + "-sim-" + e.getEventId());
            e.setAccountId(id + "-sim-" + e.getAccountId());
            events.add(e);
        });
        return events;
    }

    /**
     * One event on every input partition a day after the scenario: it advances stream time of
     * every task past every window, grace, merge delay and inactivity gap.
     */
    public static List<ConversationEvent> closing(final String id, final int partitions) {
        final List<ConversationEvent> events = new ArrayList<>();
        final boolean[] covered = new boolean[partitions];
        for (int n = 0; events.size() < partitions; n++) {
            final String c = id + "-closing-" + n;
            final int p = Utils.toPositive(Utils.murmur2(c.getBytes(StandardCharsets.UTF_8))) % partitions;
            if (!covered[p]) {
                covered[p] = true;
                events.add(event(c, "acct-" + c, 0, Role.HUMAN, "Good morning, what is the weather like today?", CLOSING));
            }
        }
        return events;
    }

    public static ConversationEvent event(final String conversation, final String account, final int turn, final Role role,
                                   final String text, final Instant at) {
        return ConversationEvent.newBuilder()
                .setEventId(conversation + ":" + turn)
                .setConversationId(conversation)
                .setAccountId(account)
                .setTurn(turn)
                .setRole(role)
                .setText(text)
                .setTimestamp(at)
                .setLanguage("en")
                .setModel(MODEL)
                .build();
    }

    public static Path writeJsonl(final Path file, final List<ConversationEvent> events, final List<String> extraLines) throws IOException {
        final List<String> lines = new ArrayList<>();
        events.stream().sorted(Comparator.comparing(ConversationEvent::getTimestamp)).map(JsonEvents::toJson).forEach(lines::add);
        // Extra (bad) lines go in the middle of the stream.
        lines.addAll(lines.size() / 2, extraLines);
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    private static void conversation(final List<ConversationEvent> events, final String c, final Instant start,
                                     final UnaryOperator<String> text, final String... turns) {
        for (int t = 0; t < turns.length; t++) {
            events.add(event(c, "acct-" + c, t, t % 2 == 0 ? Role.HUMAN : Role.ASSISTANT, text.apply(turns[t]),
                    start.plusSeconds(30L * t)));
        }
    }
}
