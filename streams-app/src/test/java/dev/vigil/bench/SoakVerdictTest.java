package dev.vigil.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SoakVerdictTest {
    private static final long MIB = 1024 * 1024;
    private static final double RATE = 100;

    /** 60 samples 10 s apart (a 10-minute soak). */
    private static List<SoakVerdict.Sample> samples(final IntFunction<SoakVerdict.Sample> at) {
        final List<SoakVerdict.Sample> s = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            s.add(at.apply(i));
        }
        return s;
    }

    @Test
    void shouldCallASoakSteadyWhenStateFillsWithTheWindowsThenStaysFlat() {
        // State and heap grow while the windows fill (first quarter), then only wobble.
        final var result = SoakVerdict.judge(samples(i -> new SoakVerdict.Sample(i * 10.0, 20 + i % 3 * 15,
                (200 + Math.min(i, 15) * 8 + (i % 4) * 6) * MIB, (10 + Math.min(i, 15) * 2 + i % 2) * MIB)), RATE);
        assertTrue(result.steady(), String.join("\n", result.findings()));
    }

    @Test
    void shouldFailWhenHeapAfterGcKeepsGrowingInTheSecondHalf() {
        // 3 MiB per 10 s: 90 MiB over the last five minutes, a leak that fills 1 GiB within an hour.
        final var result = SoakVerdict.judge(samples(i -> new SoakVerdict.Sample(i * 10.0, 20,
                (200 + 3L * i) * MIB, 20 * MIB)), RATE);
        assertFalse(result.steady(), String.join("\n", result.findings()));
    }

    @Test
    void shouldFailWhenLagKeepsGrowing() {
        // Falling behind by 5 records a second: 1,500 records over the second half (bound 2 s = 200).
        final var result = SoakVerdict.judge(samples(i -> new SoakVerdict.Sample(i * 10.0, 50L * i, 200 * MIB,
                20 * MIB)), RATE);
        assertFalse(result.steady(), String.join("\n", result.findings()));
    }

    @Test
    void shouldFailWhenStateOnDiskKeepsGrowing() {
        final var result = SoakVerdict.judge(samples(i -> new SoakVerdict.Sample(i * 10.0, 20, 200 * MIB,
                (10 + 2L * i) * MIB)), RATE);
        assertFalse(result.steady(), String.join("\n", result.findings()));
    }

    @Test
    void shouldNotJudgeAHandfulOfSamples() {
        assertFalse(SoakVerdict.judge(List.of(new SoakVerdict.Sample(0, 0, MIB, MIB)), RATE).steady());
    }
}
