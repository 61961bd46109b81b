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
        return ConversationEvent.newBuilder()
                .setEventId("test-" + n)
                .setConversationId("test-conversation-" + n)
                .setAccountId("test-account")
                .setTurn(role == Role.HUMAN ? 0 : 1)
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
