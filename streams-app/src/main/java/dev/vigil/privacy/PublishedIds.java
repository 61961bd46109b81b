package dev.vigil.privacy;

import dev.vigil.schema.ConversationSummary;
import dev.vigil.schema.MessageSignals;

/**
 * The identifiers of records that leave the stream. Inside, stages key their state by raw
 * conversation and account ids (they are what the input says); what is published
 * ({@code safety.message-signals}, {@code safety.conversation-summaries}, alerts, and from there
 * {@code /api/alerts} and the incident tools) carries keyed pseudonyms instead, so a reader of
 * outputs cannot name the person behind a disclosure. With the deployment's key, a responder can
 * ({@code vigil resolve-pseudonym}, audited). Signals also lose their SimHash: an unkeyed hash of
 * the text next to an account would let anyone confirm a guessed message; the abuse stage reads
 * it inside the stream. A deployment that must publish raw ids opts in
 * ({@code --raw-ids-in-outputs}).
 */
public final class PublishedIds {
    private final Pseudonyms pseudonyms;
    private final boolean raw;

    /**
     * @param key the deployment's pseudonym key
     * @param raw publish raw ids instead (a deployment's explicit choice)
     */
    public PublishedIds(final PseudonymKey key, final boolean raw) {
        this.pseudonyms = new Pseudonyms(key);
        this.raw = raw;
    }

    /** A conversation id as published. */
    public String conversation(final String id) {
        return raw || id == null ? id : pseudonyms.pseudonym(id);
    }

    /** An account id as published. */
    public String account(final String id) {
        return raw || id == null ? id : pseudonyms.pseudonym(id);
    }

    /** A copy of {@code s} as published; {@code s} itself is left alone for the stages that follow. */
    public MessageSignals signals(final MessageSignals s) {
        if (raw) {
            return s;
        }
        return MessageSignals.newBuilder(s)
                .setConversationId(conversation(s.getConversationId()))
                .setAccountId(account(s.getAccountId()))
                .setSimhash(null)
                .build();
    }

    public ConversationSummary summary(final ConversationSummary s) {
        if (raw) {
            return s;
        }
        return ConversationSummary.newBuilder(s)
                .setConversationId(conversation(s.getConversationId()))
                .setAccountId(account(s.getAccountId()))
                .build();
    }
}
