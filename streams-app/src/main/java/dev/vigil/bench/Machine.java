package dev.vigil.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** One line describing the machine a figure was measured on: CPU, cores, memory, OS, JVM. */
public final class Machine {
    private Machine() {
    }

    public static String describe() {
        final int cores = Runtime.getRuntime().availableProcessors();
        long memory = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize();
        }
        return String.format(Locale.ROOT, "%s; %d cores; %.1f GiB memory; %s %s %s; %s %s (%s)",
                cpuModel(), cores, memory / (1024.0 * 1024 * 1024), System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("os.arch"),
                System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.vendor"));
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown CPU");
        } catch (final java.io.IOException e) {
            return "unknown CPU";
        }
    }
}
