package dev.vigil.testing;

import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.Role;

import java.time.Instant;

/** Conversation events for tests, written by the tests themselves. */
public final class Events {
    private Events() {
    }

    public static ConversationEvent event(final String conversation, final int turn, final Role role,
                                          final String text, final Instant at) {
        return ConversationEvent.newBuilder()
                .setEventId(conversation + ":" + turn)
                .setConversationId(conversation)
                .setAccountId("acct-" + conversation)
                .setTurn(turn)
                .setRole(role)
                .setText(text)
                .setTimestamp(at)
                .setModel("model-test")
                .build();
    }
}
