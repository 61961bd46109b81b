package dev.vigil.classify;

import dev.vigil.schema.ConversationEvent;
import dev.vigil.schema.MessageSignals;

/**
 * Turns one conversation event into its signals. The stream, {@code vigil classify} and
 * {@code vigil eval} all call the same implementation, so what is measured is what runs.
 *
 * <p>Implementations are thread-safe and allocate little: this runs on every message.
 * The returned record never contains the event's text.
 */
public interface MessageClassifier {

    /** Classify one message. Fields that do not apply to the message's role are left null. */
    MessageSignals classify(ConversationEvent event);

    /**
     * Classify one message read from input partition {@code partition}: what the stream calls,
     * so that capped work (the crisis tier's encoder budget) is shared per partition and a grade
     * does not depend on which instance holds the partition.
     */
    default MessageSignals classify(final ConversationEvent event, final int partition) {
        return classify(event);
    }

    /** Version stamped on every output record, e.g. {@code vigil-clf-1.0.0+<model hash>}. */
    String version();
}
