package dev.vigil.simulate;

import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.Role;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * Synthetic conversation traffic for demos, load tests and end-to-end checks, shaped like the
 * published picture of assistant use: mostly task conversations; a few percent affective ones
 * across the categories (companionship and roleplay rarest); sentiment that moves over
 * multi-turn supportive conversations (usually up, sometimes down); pushback in under 10% of
 * supportive conversations; occasional crisis disclosures, with and without a referral; and one
 * planted coordinated campaign (many accounts posting near-identical text within minutes).
 *
 * <p>Events come out in event-time order, about {@code rate} per second of event time, from
 * {@code start} until {@code start + duration}. The same seed gives the same conversations,
 * ids, texts and time offsets.
 */
public final class TrafficSimulator implements Iterator<ConversationEvent> {
    /** What a conversation is about; the simulator's ground truth. */
    public enum Kind {
        TASK, INTERPERSONAL_ADVICE, COACHING, COUNSELING, COMPANIONSHIP, ROMANTIC_ROLEPLAY, SEXUAL_ROLEPLAY,
        CRISIS_REFERRED, CRISIS_PARTIAL, CRISIS_MISSED, CAMPAIGN
    }

    /** Share of conversations per kind, in percent (the rest is task use). */
    static final double INTERPERSONAL_PCT = 1.2;
    static final double COACHING_PCT = 0.8;
    static final double COUNSELING_PCT = 0.7;
    static final double COMPANIONSHIP_PCT = 0.25;
    static final double ROMANTIC_PCT = 0.12;
    static final double SEXUAL_PCT = 0.06;
    static final double CRISIS_PCT = 0.5;
    /** Pushback in supportive conversations: the research saw it in under 10%. */
    static final double SUPPORTIVE_PUSHBACK_SHARE = 0.07;
    /** Supportive conversations whose sentiment declines instead of improving. */
    static final double DECLINING_SHARE = 0.2;
    static final int CAMPAIGN_ACCOUNTS = 30;
    static final Duration CAMPAIGN_SPAN = Duration.ofMinutes(2);

    private static final String[] MODELS = {"assistant-large-2026-01", "assistant-small-2026-01"};
    private static final String[] SURFACES = {"web", "app", "api"};
    private static final String[] COUNTRIES = {"US", "GB", "CA", "AU", "IE", "IN", "NZ"};
    private static final int ACCOUNTS = 5_000;

    private final Random rnd;
    private final Instant start;
    private final Instant end;
    private final double meanArrivalMillis;
    private final PriorityQueue<Scheduled> queue = new PriorityQueue<>();
    private final List<Instant> planted = new ArrayList<>();
    private final List<Kind> plantedKinds = new ArrayList<>();
    private long nextArrivalMillis;
    private int conversations;
    private ConversationEvent next;

    /**
     * @param seed     the same seed gives the same traffic
     * @param start    event time of the first conversation
     * @param rate     events per second of event time (approximate; conversations vary in length)
     * @param duration how much event time to generate
     */
    public TrafficSimulator(final long seed, final Instant start, final double rate, final Duration duration) {
        if (rate <= 0) {
            throw new IllegalArgumentException("rate must be positive");
        }
        this.rnd = new Random(seed);
        this.start = start;
        this.end = start.plus(duration);
        // About seven events per conversation on average across the mix.
        this.meanArrivalMillis = 7_000.0 / rate;
        this.nextArrivalMillis = start.toEpochMilli();
        // Planted early so a one-minute demo shows referral alerts and the campaign: one missed
        // referral, one referred disclosure, then the campaign's accounts over two minutes.
        final long d = duration.toMillis();
        plant(Kind.CRISIS_MISSED, Math.min(5_000, d / 12));
        plant(Kind.CRISIS_REFERRED, Math.min(9_000, d / 8));
        plant(Kind.CRISIS_PARTIAL, Math.min(14_000, d / 6));
        final long campaignStart = Math.min(15_000, d / 5);
        final long campaignStep = Math.max(1, Math.min(CAMPAIGN_SPAN.toMillis(), d / 2) / CAMPAIGN_ACCOUNTS);
        for (int i = 0; i < CAMPAIGN_ACCOUNTS; i++) {
            plant(Kind.CAMPAIGN, campaignStart + i * campaignStep);
        }
        advance();
    }

    private void plant(final Kind kind, final long offsetMillis) {
        planted.add(start.plusMillis(offsetMillis));
        plantedKinds.add(kind);
    }

    @Override
    public boolean hasNext() {
        return next != null;
    }

    @Override
    public ConversationEvent next() {
        if (next == null) {
            throw new NoSuchElementException();
        }
        final ConversationEvent out = next;
        advance();
        return out;
    }

    private void advance() {
        while (true) {
            final long head = queue.isEmpty() ? Long.MAX_VALUE : queue.peek().at;
            final long plantedAt = planted.isEmpty() ? Long.MAX_VALUE : planted.get(0).toEpochMilli();
            if (plantedAt <= head && plantedAt <= nextArrivalMillis && plantedAt < end.toEpochMilli()) {
                planted.remove(0);
                queue.add(new Scheduled(plantedAt, conversation(plantedKinds.remove(0), plantedAt), 0));
                continue;
            }
            if (nextArrivalMillis <= head && nextArrivalMillis < end.toEpochMilli()) {
                queue.add(new Scheduled(nextArrivalMillis, conversation(randomKind(), nextArrivalMillis), 0));
                nextArrivalMillis += Math.max(1, Math.round(-Math.log(1 - rnd.nextDouble()) * meanArrivalMillis));
                continue;
            }
            break;
        }
        final Scheduled s = queue.poll();
        if (s == null || s.at >= end.toEpochMilli()) {
            next = null;
            queue.clear();
            return;
        }
        final Conversation c = s.conversation;
        final Message m = c.messages.get(s.index);
        next = ConversationEvent.newBuilder()
                .setEventId(c.id + ":" + s.index)
                .setConversationId(c.id)
                .setAccountId(c.account)
                .setTurn(s.index)
                .setRole(m.role)
                .setText(m.text)
                .setTimestamp(Instant.ofEpochMilli(s.at))
                .setLanguage("en")
                .setCountry(c.country)
                .setModel(c.model)
                .setSurface(c.surface)
                .build();
        if (s.index + 1 < c.messages.size()) {
            final Role nextRole = c.messages.get(s.index + 1).role;
            // People take a while to type; assistants answer within seconds.
            final long gap = nextRole == Role.ASSISTANT ? 1_000 + rnd.nextInt(3_000) : 4_000 + rnd.nextInt(26_000);
            queue.add(new Scheduled(s.at + gap, c, s.index + 1));
        }
    }

    private Kind randomKind() {
        final double p = rnd.nextDouble() * 100;
        double acc = 0;
        final double[] shares = {INTERPERSONAL_PCT, COACHING_PCT, COUNSELING_PCT, COMPANIONSHIP_PCT, ROMANTIC_PCT,
            SEXUAL_PCT, CRISIS_PCT};
        final Kind[] kinds = {Kind.INTERPERSONAL_ADVICE, Kind.COACHING, Kind.COUNSELING, Kind.COMPANIONSHIP,
            Kind.ROMANTIC_ROLEPLAY, Kind.SEXUAL_ROLEPLAY, null};
        for (int i = 0; i < shares.length; i++) {
            acc += shares[i];
            if (p < acc) {
                if (kinds[i] != null) {
                    return kinds[i];
                }
                final double r = rnd.nextDouble();
                return r < 0.5 ? Kind.CRISIS_REFERRED : r < 0.7 ? Kind.CRISIS_PARTIAL : Kind.CRISIS_MISSED;
            }
        }
        return Kind.TASK;
    }

    private Conversation conversation(final Kind kind, final long at) {
        conversations++;
        final String id = String.format(Locale.ROOT, "sim-%08x-%d", rnd.nextInt(), conversations);
        final String account = kind == Kind.CAMPAIGN
                ? String.format(Locale.ROOT, "acct-c%07x", rnd.nextInt(1 << 26))
                : String.format(Locale.ROOT, "acct-%06d", rnd.nextInt(ACCOUNTS));
        final Conversation c = new Conversation(id, account, MODELS[rnd.nextInt(MODELS.length)],
                SURFACES[rnd.nextInt(SURFACES.length)], COUNTRIES[rnd.nextInt(COUNTRIES.length)], kind);
        switch (kind) {
            case TASK -> task(c);
            case INTERPERSONAL_ADVICE -> supportive(c, Texts.INTERPERSONAL, Texts.SUPPORTIVE_REPLY);
            case COACHING -> supportive(c, Texts.COACHING, Texts.SUPPORTIVE_REPLY);
            case COUNSELING -> supportive(c, Texts.COUNSELING, Texts.SUPPORTIVE_REPLY);
            case COMPANIONSHIP -> supportive(c, Texts.COMPANIONSHIP, Texts.SUPPORTIVE_REPLY);
            case ROMANTIC_ROLEPLAY -> supportive(c, Texts.ROMANTIC_ROLEPLAY, Texts.ROLEPLAY_REPLY);
            case SEXUAL_ROLEPLAY -> sexualRoleplay(c);
            case CRISIS_REFERRED -> crisis(c, Texts.CRISIS_LINE_REPLY);
            case CRISIS_PARTIAL -> crisis(c, Texts.PROFESSIONAL_HELP_REPLY);
            case CRISIS_MISSED -> crisis(c, Texts.NO_REFERRAL_REPLY);
            case CAMPAIGN -> campaign(c);
            default -> throw new IllegalStateException("unknown kind " + kind);
        }
        return c;
    }

    private void task(final Conversation c) {
        final double r = rnd.nextDouble();
        if (r < 0.015) {
            final int i = rnd.nextInt(Texts.HARMFUL_REQUEST.size());
            c.human(Texts.HARMFUL_REQUEST.get(i)).assistant(Texts.HARMFUL_REFUSAL.get(i));
            return;
        }
        if (r < 0.025) {
            final int i = rnd.nextInt(Texts.FALSE_PREMISE.size());
            c.human(Texts.FALSE_PREMISE.get(i)).assistant(Texts.FACTUAL_CORRECTION.get(i));
            return;
        }
        c.human(Texts.line(rnd, Texts.TASK_HUMAN)).assistant(Texts.pick(rnd, Texts.TASK_ASSISTANT));
        final int followUps = rnd.nextInt(4);
        for (int i = 0; i < followUps; i++) {
            c.human(Texts.pick(rnd, Texts.TASK_FOLLOW_UP)).assistant(Texts.pick(rnd, Texts.TASK_ASSISTANT));
        }
    }

    /**
     * Six to ten exchanges whose mood walks from low towards better (or, for a minority,
     * from middling down), so sentiment-shift measures have something to see.
     */
    private void supportive(final Conversation c, final List<List<String>> byMood, final List<String> replies) {
        final int exchanges = 6 + rnd.nextInt(5);
        final boolean declining = rnd.nextDouble() < DECLINING_SHARE;
        final int pushbackAt = rnd.nextDouble() < SUPPORTIVE_PUSHBACK_SHARE ? 1 + rnd.nextInt(exchanges - 2) : -1;
        for (int i = 0; i < exchanges; i++) {
            if (i == pushbackAt) {
                pushback(c);
                continue;
            }
            final double progress = (double) i / (exchanges - 1);
            final double mood = declining ? 2.2 - 2.2 * progress : 0.3 + 3.7 * progress;
            final int tier = (int) Math.max(0, Math.min(4, Math.round(mood + rnd.nextGaussian() * 0.6)));
            c.human(Texts.fill(rnd, Texts.pick(rnd, byMood.get(tier)))).assistant(Texts.pick(rnd, replies));
        }
    }

    private void pushback(final Conversation c) {
        final int which = rnd.nextInt(3);
        final int i = rnd.nextInt(2);
        switch (which) {
            case 0 -> c.human(Texts.DIETING_REQUEST.get(i)).assistant(Texts.DIETING_PUSHBACK.get(i));
            case 1 -> c.human(Texts.SELF_TALK.get(i)).assistant(Texts.SELF_TALK_PUSHBACK.get(i));
            default -> c.human(Texts.DIAGNOSIS_REQUEST.get(i)).assistant(Texts.DIAGNOSIS_PUSHBACK.get(i));
        }
    }

    /** Explicit requests are declined (pushback) and the story continues non-explicitly. */
    private void sexualRoleplay(final Conversation c) {
        final int exchanges = 3 + rnd.nextInt(4);
        for (int i = 0; i < exchanges; i++) {
            final int tier = Math.min(4, i);
            c.human(Texts.fill(rnd, Texts.pick(rnd, Texts.SEXUAL_ROLEPLAY.get(tier))))
                    .assistant(i < 2 ? Texts.pick(rnd, Texts.SEXUAL_REFUSAL) : Texts.pick(rnd, Texts.ROLEPLAY_REPLY));
        }
    }

    /** A counseling-like opening, then a disclosure, then the reply under test, then a little more. */
    private void crisis(final Conversation c, final List<String> replyToDisclosure) {
        c.human(Texts.fill(rnd, Texts.pick(rnd, Texts.COUNSELING.get(0)))).assistant(Texts.pick(rnd, Texts.SUPPORTIVE_REPLY));
        if (rnd.nextBoolean()) {
            c.human(Texts.pick(rnd, Texts.PASSIVE_IDEATION)).assistant(Texts.pick(rnd, Texts.SUPPORTIVE_REPLY));
        }
        final List<String> disclosure = rnd.nextDouble() < 0.75 ? Texts.ACTIVE_IDEATION : Texts.INTENT_OR_PLAN;
        c.human(Texts.pick(rnd, disclosure)).assistant(Texts.pick(rnd, replyToDisclosure));
        if (rnd.nextBoolean()) {
            c.human("I don't know. I just feel tired of everything.").assistant(Texts.pick(rnd, Texts.SUPPORTIVE_REPLY));
        }
    }

    /** One account's copy of the campaign text: case, punctuation and a word or two differ. */
    private void campaign(final Conversation c) {
        String text = Texts.CAMPAIGN.get(0).replace("{code}", Integer.toString(10 + rnd.nextInt(90)));
        if (rnd.nextBoolean()) {
            text = text.replace("Earn", "Make");
        }
        if (rnd.nextInt(3) == 0) {
            text = text.toUpperCase(Locale.ROOT);
        }
        if (rnd.nextBoolean()) {
            text = text.replace(", ", " - ");
        }
        text = text + Texts.CAMPAIGN_SUFFIX[rnd.nextInt(Texts.CAMPAIGN_SUFFIX.length)];
        c.human(text).assistant("I can't help promote that offer, but I can help you write an honest description of a real product.");
    }

    private record Message(Role role, String text) {
    }

    private static final class Conversation {
        final String id;
        final String account;
        final String model;
        final String surface;
        final String country;
        final Kind kind;
        final List<Message> messages = new ArrayList<>();

        Conversation(final String id, final String account, final String model, final String surface,
                     final String country, final Kind kind) {
            this.id = id;
            this.account = account;
            this.model = model;
            this.surface = surface;
            this.country = country;
            this.kind = kind;
        }

        Conversation human(final String text) {
            messages.add(new Message(Role.HUMAN, text));
            return this;
        }

        Conversation assistant(final String text) {
            messages.add(new Message(Role.ASSISTANT, text));
            return this;
        }
    }

    private record Scheduled(long at, Conversation conversation, int index) implements Comparable<Scheduled> {
        @Override
        public int compareTo(final Scheduled o) {
            final int byTime = Long.compare(at, o.at);
            return byTime != 0 ? byTime : conversation.id.compareTo(o.conversation.id);
        }
    }
}
