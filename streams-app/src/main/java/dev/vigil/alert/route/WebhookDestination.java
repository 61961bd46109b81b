package dev.vigil.alert.route;

import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.HexFormat;

/**
 * A generic webhook: the alert as a JSON body, signed so the receiver can trust it.
 *
 * <p>Headers: {@code X-Vigil-Timestamp} (epoch seconds), {@code X-Vigil-Signature}
 * ({@code sha256=} + hex HMAC-SHA256 of {@code <timestamp>.<body>} with the shared secret; the
 * timestamp is signed so an old request cannot be replayed later) and {@code Idempotency-Key}
 * (the dedup key, for receivers that de-duplicate; printable ASCII, as a header must be, see
 * {@link AlertJson#dedupKey}). The body is the {@linkplain AlertJson#details cleaned and bounded}
 * fields, written by Jackson.
 */
public final class WebhookDestination extends HttpDestination {
    public static final String SIGNATURE_HEADER = "X-Vigil-Signature";
    public static final String TIMESTAMP_HEADER = "X-Vigil-Timestamp";
    public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";

    private final byte[] secret;
    private final Clock clock;

    public WebhookDestination(final URI url, final String secret, final Severity minimumSeverity,
                              final double ratePerSecond) {
        this(url, secret, minimumSeverity, ratePerSecond, Clock.systemUTC());
    }

    WebhookDestination(final URI url, final String secret, final Severity minimumSeverity,
                       final double ratePerSecond, final Clock clock) {
        super("webhook", url, minimumSeverity, ratePerSecond);
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    /** {@code sha256=<hex>} over {@code timestamp + "." + body}: what a receiver recomputes to verify. */
    public static String signature(final byte[] secret, final String timestamp, final String body) {
        try {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    @Override
    public HttpRequest.Builder request(final SafetyAlert a) {
        final String body = AlertJson.write(AlertJson.details(a));
        final String timestamp = Long.toString(clock.instant().getEpochSecond());
        return HttpRequest.newBuilder(endpoint())
                .header("Content-Type", "application/json")
                .header(TIMESTAMP_HEADER, timestamp)
                .header(SIGNATURE_HEADER, signature(secret, timestamp, body))
                .header(IDEMPOTENCY_HEADER, AlertJson.dedupKey(a))
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }
}
