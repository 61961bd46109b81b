package dev.vigil.alert.route;

/**
 * How delivering one alert to one destination ended.
 *
 * @param delivered true when the destination accepted the alert (2xx)
 * @param attempts  requests made
 * @param reason    fixed code when not delivered: {@code rejected} (a 4xx other than 429; retrying
 *                  cannot help), {@code retries_exhausted}, {@code unsendable} (no valid request
 *                  could be built for the alert); null when delivered
 * @param detail    status or error class of the last attempt, for the DLQ headers; never a URL or secret
 */
public record DeliveryResult(boolean delivered, int attempts, String reason, String detail) {
    static DeliveryResult ok(final int attempts) {
        return new DeliveryResult(true, attempts, null, null);
    }

    static DeliveryResult failed(final int attempts, final String reason, final String detail) {
        return new DeliveryResult(false, attempts, reason, detail);
    }
}
