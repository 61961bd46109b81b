package dev.vigil.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DurationConverterTest {
    private final DurationConverter converter = new DurationConverter();

    @Test
    void shouldReadTheShortFormsPeopleType() {
        assertEquals(Duration.ofSeconds(90), converter.convert("90s"));
        assertEquals(Duration.ofMinutes(10), converter.convert("10m"));
        assertEquals(Duration.ofHours(1), converter.convert("1h"));
        assertEquals(Duration.ofMillis(500), converter.convert("500ms"));
        assertEquals(Duration.ofMinutes(1), converter.convert("PT1M"));
        assertEquals(Duration.ZERO, converter.convert("0"), "zero needs no unit");
    }

    @Test
    void shouldRejectANumberWithoutAUnit() {
        assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert("60"));
    }
}
