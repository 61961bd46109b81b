package dev.vigil.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MonitoringConfigTest {
    @Test
    void shouldDefaultToTheIssuesSettings() {
        final MonitoringConfig c = MonitoringConfig.defaults();
        assertEquals(Duration.ofMinutes(30), c.inactivityGap());
        assertEquals(10, c.k());
        assertEquals(new MonitoringConfig.WindowSpec(Duration.ofMinutes(5), Duration.ofMinutes(1)),
                c.aggregateWindows().get(0));
        assertEquals(Duration.ofHours(1), c.aggregateWindows().get(1).size());
        assertEquals(Duration.ofHours(1), c.abuseWindow());
        assertEquals(5, c.abuseMinAccounts());
        assertEquals(3.0, c.abuseBurstRatio());
        assertEquals(Duration.ofDays(7), c.abuseBackgroundTtl());
        assertEquals(3, c.abuseHamming());
        assertEquals("safety.alerts", c.topic("safety.alerts"));
    }

    @Test
    void shouldOverrideOneValueAndKeepTheRest() {
        final MonitoringConfig c = MonitoringConfig.defaults().toBuilder().k(25).outputPrefix("backfill.x").build();
        assertEquals(25, c.k());
        assertEquals("backfill.x.safety.aggregates", c.topic("safety.aggregates"));
        assertEquals(MonitoringConfig.defaults().inactivityGap(), c.inactivityGap());
        assertEquals(c, c.toBuilder().build());
    }

    @Test
    void shouldRaiseTheExactCountCapWithAHighK() {
        // An operator who only raises k must not get a startup error, nor counts estimated near k.
        assertEquals(1_000, MonitoringConfig.builder().build().exactAccountCap());
        assertEquals(1_200, MonitoringConfig.builder().k(600).build().exactAccountCap());
        assertEquals(5_000, MonitoringConfig.builder().k(600).exactAccountCap(5_000).build().exactAccountCap());
    }

    @Test
    void shouldRejectSettingsThatBreakTheGuarantees() {
        // Four 16-bit bands only guarantee a shared band for three differing bits.
        assertThrows(IllegalArgumentException.class, () -> MonitoringConfig.builder().abuseHamming(4).build());
        // Below 1 a cluster smaller than its own usual count would be a "burst".
        assertThrows(IllegalArgumentException.class, () -> MonitoringConfig.builder().abuseBurstRatio(0.5).build());
        // Publication is decided on the exact count: the cap keeps HyperLogLog far above k.
        assertThrows(IllegalArgumentException.class, () -> MonitoringConfig.builder().k(50).exactAccountCap(20).build());
        assertThrows(IllegalArgumentException.class, () -> MonitoringConfig.builder().k(600).exactAccountCap(1_000).build());
        assertThrows(IllegalArgumentException.class, () -> MonitoringConfig.builder()
                .aggregateWindows(List.of(new MonitoringConfig.WindowSpec(Duration.ofMinutes(5), Duration.ofMinutes(5))))
                .alertWindow(1).build());
        // Larger published windows are sums of the smallest: sizes must nest.
        assertThrows(IllegalArgumentException.class, () -> MonitoringConfig.builder()
                .aggregateWindows(List.of(new MonitoringConfig.WindowSpec(Duration.ofMinutes(5), Duration.ofMinutes(1)),
                        new MonitoringConfig.WindowSpec(Duration.ofMinutes(7), Duration.ofMinutes(1)))).build());
        assertThrows(IllegalArgumentException.class, () -> MonitoringConfig.builder()
                .aggregateWindows(List.of(new MonitoringConfig.WindowSpec(Duration.ofMinutes(5), Duration.ofMinutes(1)),
                        new MonitoringConfig.WindowSpec(Duration.ofMinutes(15), Duration.ofMinutes(5)),
                        new MonitoringConfig.WindowSpec(Duration.ofMinutes(40), Duration.ofMinutes(5)))).build());
        assertEquals(Duration.ofMinutes(5), MonitoringConfig.defaults().finestWindowSpec().size());
        assertEquals(Duration.ofHours(1), MonitoringConfig.defaults().largestWindowSpec().size());
        assertThrows(IllegalArgumentException.class, () -> MonitoringConfig.builder().maxDimensionValues(1).build());
    }
}
