package dev.vigil.classify;

import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;

import java.time.Instant;

/** Builds test events; every text in the classifier tests is written for the tests. */
final class Messages {
    private static int counter;

    private Messages() {
    }

    static ConversationEvent event(final Role role, final String text) {
        final int n = counter++;
        return event(role, text, "test-conversation-" + n, role == Role.HUMAN ? 0 : 1);
    }

    /** A message at {@code turn} of {@code conversation}, for tests of conversation context. */
    static ConversationEvent event(final Role role, final String text, final String conversation, final int turn) {
        return ConversationEvent.newBuilder()
                .setEventId(conversation + ":" + turn)
                .setConversationId(conversation)
                .setAccountId("test-account")
                .setTurn(turn)
                .setRole(role)
                .setText(text)
                .setTimestamp(Instant.parse("2026-01-05T09:00:00Z"))
                .setLanguage("en")
                .build();
    }

    static MessageSignals human(final String text) {
        return Classifiers.standard().classify(event(Role.HUMAN, text));
    }

    static MessageSignals assistant(final String text) {
        return Classifiers.standard().classify(event(Role.ASSISTANT, text));
    }
}
