package dev.vigil.alert.route;

import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.SafetyAlert;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sends one alert to every destination that takes its severity and says which ones failed.
 *
 * <p>It remembers, per destination, the dedup keys it has already delivered (a bounded memory):
 * an alert raised again for the same situation, or a record read twice in one run, is not sent
 * again. Across restarts the tools' own dedup keys (PagerDuty {@code dedup_key}, Opsgenie
 * {@code alias}, the webhook's {@code Idempotency-Key}) keep a redelivery from opening a
 * second incident.
 */
public final class AlertRouter {
    /** A destination that did not take the alert. */
    public record Failure(String destination, DeliveryResult result) {
    }

    private static final int REMEMBERED_KEYS = 10_000;

    private final List<Destination> destinations;
    private final AlertDeliverer deliverer;
    private final SafetyMetrics metrics;
    private final Set<String> delivered = Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(final Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_KEYS;
        }
    });

    public AlertRouter(final List<Destination> destinations, final AlertDeliverer deliverer,
                       final SafetyMetrics metrics) {
        if (destinations.isEmpty()) {
            throw new IllegalArgumentException("no alert destination configured");
        }
        this.destinations = List.copyOf(destinations);
        this.deliverer = deliverer;
        this.metrics = metrics;
        // At zero from the start, so the first dead letter is an increase Prometheus sees and
        // VigilAlertDeliveryFailing fires on it.
        for (final Destination d : this.destinations) {
            metrics.counter(SafetyMetrics.ALERT_DELIVERIES, "destination", d.name(),
                    "outcome", "dead_lettered");
        }
    }

    public List<Destination> destinations() {
        return destinations;
    }

    /** Delivers to every destination that accepts the alert; the failures, empty when all took it. */
    public List<Failure> route(final SafetyAlert alert) throws InterruptedException {
        final List<Failure> failures = new ArrayList<>();
        for (final Destination destination : destinations) {
            if (!destination.accepts(alert)) {
                continue;
            }
            final String memory = destination.name() + '\u0000' + alert.getDedupKey();
            synchronized (delivered) {
                if (delivered.contains(memory)) {
                    metrics.alertDelivery(destination.name(), "duplicate_skipped");
                    continue;
                }
            }
            final DeliveryResult result = deliverer.deliver(destination, alert);
            if (result.delivered()) {
                synchronized (delivered) {
                    delivered.add(memory);
                }
            } else {
                failures.add(new Failure(destination.name(), result));
            }
        }
        return failures;
    }
}
