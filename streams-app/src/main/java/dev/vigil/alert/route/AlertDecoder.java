package dev.vigil.alert.route;

import dev.vigil.schema.SafetyAlert;
import dev.vigil.serde.ConfluentAvroSerde;
import dev.vigil.serde.SchemaRegistryException;
import org.apache.avro.AvroRuntimeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads one record of the alerts topic and says which of three things it is:
 *
 * <ul>
 *   <li>an {@link Alert};</li>
 *   <li>{@link Malformed}: the record itself is wrong and will never decode, whoever reads it
 *       and whenever: no value, not in the registry wire format (magic byte 0 and a schema id),
 *       a schema id the registry says does not exist (404 with error code 40403) or refuses as
 *       invalid (another 4xx about the request), a schema that is not Avro, or bytes that are not
 *       a {@link SafetyAlert} in that schema. Only these go to the dead-letter topic;</li>
 *   <li>{@link RegistryUnavailable}: the record could not be read because the schema registry
 *       did not give a usable answer: unreachable, timed out, TLS failure, 5xx, 429, 401/403, a
 *       404 that is not "schema not found" (a wrong URL), a redirect, or a 2xx without a schema.
 *       That says nothing about the record: it must wait for the registry and never be
 *       dead-lettered, or a registry outage would silently drop every alert with a schema id
 *       not cached yet.</li>
 * </ul>
 * The split is {@link SchemaRegistryException#registryUnavailable()}, the same one ingestion uses,
 * widened to the answers that are not about the record (redirects, 2xx without a schema, 407,
 * 408): when in doubt, an alert waits rather than being dropped.
 */
public final class AlertDecoder {
    /** What a record turned out to be. */
    public sealed interface Decoded permits Alert, Malformed, RegistryUnavailable {
    }

    /** The record is an alert. */
    public record Alert(SafetyAlert alert) implements Decoded {
    }

    /**
     * The record can never be read.
     *
     * @param code   fixed code: {@link #NULL_VALUE}, {@link #NOT_REGISTRY_FRAMED}, {@link #UNKNOWN_SCHEMA_ID},
     *               {@link #SCHEMA_ID_REFUSED}, {@link #NOT_AN_AVRO_SCHEMA}, {@link #CORRUPT_AVRO}
     * @param detail the code and the exception classes; never bytes, text, URLs or credentials
     */
    public record Malformed(String code, String detail) implements Decoded {
    }

    /** The registry gave no usable answer; the record must be read again later. */
    public record RegistryUnavailable(String detail) implements Decoded {
    }

    public static final String NULL_VALUE = "null_value";
    public static final String NOT_REGISTRY_FRAMED = "not_registry_framed";
    public static final String UNKNOWN_SCHEMA_ID = "unknown_schema_id";
    public static final String SCHEMA_ID_REFUSED = "schema_id_refused";
    public static final String NOT_AN_AVRO_SCHEMA = "not_an_avro_schema";
    public static final String CORRUPT_AVRO = "corrupt_avro";

    private static final int HEADER = 5;

    private final Deserializer<SafetyAlert> deserializer;

    /** @param deserializer the registry-framed Avro deserializer of {@link SafetyAlert} */
    public AlertDecoder(final Deserializer<SafetyAlert> deserializer) {
        this.deserializer = deserializer;
    }

    public Decoded decode(final String topic, final Headers headers, final byte[] value) {
        if (value == null) {
            return new Malformed(NULL_VALUE, NULL_VALUE);
        }
        // Checked here rather than read from the deserializer's message: the code must not
        // depend on wording.
        if (value.length < HEADER || value[0] != ConfluentAvroSerde.MAGIC_BYTE) {
            return new Malformed(NOT_REGISTRY_FRAMED, NOT_REGISTRY_FRAMED);
        }
        try {
            final SafetyAlert alert = deserializer.deserialize(topic, headers, value);
            return alert == null ? new Malformed(NULL_VALUE, NULL_VALUE) : new Alert(alert);
        } catch (final SchemaRegistryException e) {
            final String code = malformedCode(e);
            return code == null ? new RegistryUnavailable(describe(e)) : new Malformed(code, code + " (" + describe(e) + ")");
        } catch (final RuntimeException e) {
            return new Malformed(CORRUPT_AVRO, CORRUPT_AVRO + " (" + describe(e) + ")");
        }
    }

    /**
     * The code when the registry's answer means the record can never be read, or null when the
     * registry did not give a usable answer and the record must wait.
     */
    static String malformedCode(final SchemaRegistryException e) {
        if (unavailable(e)) {
            return null;
        }
        final int status = e.status();
        if (status == 404 && e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
            return UNKNOWN_SCHEMA_ID;
        }
        if (status == 0) {
            // The registry answered with a schema that Avro cannot parse (JSON Schema, Protobuf).
            return NOT_AN_AVRO_SCHEMA;
        }
        return SCHEMA_ID_REFUSED;
    }

    /** True when the exception says nothing about the record: it must be read again later. */
    static boolean unavailable(final SchemaRegistryException e) {
        if (e.registryUnavailable()) {
            return true;
        }
        final int status = e.status();
        if (status == 0) {
            // Only a schema Avro cannot parse is the record's fault; any other failure without an
            // answer is the registry's (or the connection's).
            return !(e.getCause() instanceof AvroRuntimeException);
        }
        return status < 400 || status == 407 || status == 408;
    }

    /** Exception class names only: messages can carry URLs, and Avro's can quote bytes. */
    static String describe(final Throwable e) {
        final StringBuilder sb = new StringBuilder(e.getClass().getSimpleName());
        if (e instanceof SchemaRegistryException sre && sre.status() != 0) {
            sb.append(" http ").append(sre.status());
            if (sre.errorCode() != SchemaRegistryException.NO_ERROR_CODE) {
                sb.append(" error_code ").append(sre.errorCode());
            }
        }
        Throwable cause = e.getCause();
        for (int depth = 0; cause != null && depth < 3; depth++, cause = cause.getCause()) {
            sb.append(" <- ").append(cause.getClass().getSimpleName());
        }
        return sb.toString();
    }
}
