package dev.vigil.cli;

import picocli.CommandLine;

import java.time.Duration;
import java.util.Locale;

/** Reads {@code 90s}, {@code 10m}, {@code 2h}, {@code 500ms}, ISO-8601 ({@code PT1M}), or {@code 0}. */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(final String value) {
        final String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("0")) {
            // Zero needs no unit; it switches off what it times (e.g. --status-interval 0).
            return Duration.ZERO;
        }
        if (v.startsWith("pt") || v.startsWith("p")) {
            return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
        }
        if (v.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        final long n = Long.parseLong(v.substring(0, v.length() - 1));
        return switch (v.charAt(v.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> throw new CommandLine.TypeConversionException("not a duration: " + value + " (try 90s, 10m, 1h)");
        };
    }
}
