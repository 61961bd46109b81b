package dev.vigil.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A schema registry refused or failed a request. Carries the HTTP status and Confluent's
 * {@code error_code} (40401 subject not found, 40403 schema not found, 409 incompatible,
 * 42201 invalid schema, ...) so callers can tell "fix your schema" from "fix your URL" from
 * "the registry is down". It is a {@link SerializationException} because serdes are where it
 * surfaces, and Kafka's error handlers already know that type.
 */
public final class SchemaRegistryException extends SerializationException {
    /** Confluent's error code when the server sent none (connection failures, non-JSON bodies). */
    public static final int NO_ERROR_CODE = -1;

    private final int status;
    private final int errorCode;

    public SchemaRegistryException(final String message, final int status, final int errorCode) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(final String message, final Throwable cause) {
        super(message, cause);
        this.status = 0;
        this.errorCode = NO_ERROR_CODE;
    }

    /** HTTP status of the registry's answer; 0 when no answer came (connection failure). */
    public int status() {
        return status;
    }

    /** Confluent's {@code error_code} from the response body, or {@link #NO_ERROR_CODE}. */
    public int errorCode() {
        return errorCode;
    }

    /** Confluent's error code for "schema id not found". */
    public static final int SCHEMA_NOT_FOUND = 40403;

    /**
     * True when the registry could not answer (unreachable, timed out, 5xx, 429) or refused us
     * (401/403, a 404 that is not "schema not found": a wrong URL), as opposed to answering that
     * the record itself is wrong (schema id unknown, schema not Avro). A record that meets the
     * first kind is not bad and must not be dead-lettered: every other record would meet it too,
     * and the same record decodes once the registry is back.
     */
    public boolean registryUnavailable() {
        if (status == 0) {
            return getCause() instanceof java.io.IOException || getCause() instanceof InterruptedException;
        }
        return status >= 500 || status == 429 || status == 401 || status == 403
                || (status == 404 && errorCode != SCHEMA_NOT_FOUND);
    }
}
