package dev.vigil.stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a metric update so that a metrics failure (a misconfigured meter, a registry bug) is
 * logged and skipped instead of failing the stream task: a missing sample is recoverable, a
 * crashed monitoring pipeline is not.
 */
public final class Metered {
    private static final Logger LOG = LoggerFactory.getLogger(Metered.class);
    private static volatile boolean warned;

    private Metered() {
    }

    public static void safely(final Runnable update) {
        try {
            update.run();
        } catch (final RuntimeException e) {
            if (!warned) {
                warned = true;
                // The exception class only: messages of meter errors may quote label values.
                LOG.warn("A metric update failed and is skipped from now on without further warnings: {}",
                        e.getClass().getName());
            }
        }
    }
}
