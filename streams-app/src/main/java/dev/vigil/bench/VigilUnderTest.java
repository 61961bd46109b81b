package dev.vigil.bench;

import com.sun.tools.attach.VirtualMachine;
import dev.vigil.app.EmbeddedPseudonymKey;

import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code vigil run} as a child JVM, exactly as an operator starts it against an existing
 * cluster (same main class, same flags, exactly_once_v2, the shipped classifier), so the
 * benchmark measures the shipped code path and the child's heap is Vigil's alone. Its output
 * goes to a file; heap after GC is read over JMX from the child's own GC MXBeans (attach API,
 * no forced GC).
 */
final class VigilUnderTest implements AutoCloseable {
    private final Process process;
    private final Path output;
    private final Path stateDir;
    private final String applicationId;
    private JMXConnector jmx;

    private VigilUnderTest(final Process process, final Path output, final Path stateDir, final String applicationId) {
        this.process = process;
        this.output = output;
        this.stateDir = stateDir;
        this.applicationId = applicationId;
    }

    /**
     * Starts Vigil on {@code inputTopic} under {@code applicationId}, with {@code jvmOptions}
     * (heap, JFR) and extra {@code vigil run} flags; waits until it says it is running.
     */
    static VigilUnderTest start(final Path workDir, final String bootstrap, final String registryUrl,
                                final String applicationId, final String inputTopic, final int partitions,
                                final List<String> jvmOptions, final List<String> runFlags) throws IOException, InterruptedException {
        final Path dataDir = workDir.resolve(applicationId);
        Files.createDirectories(dataDir);
        final Path output = dataDir.resolve("vigil.out");
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath());
        command.add("dev.vigil.cli.VigilCommand");
        command.addAll(List.of("run", "--bootstrap-servers", bootstrap, "--schema-registry-url", registryUrl,
                "--application-id", applicationId, "--input-topic", inputTopic, "--data-dir", dataDir.toString(),
                "--partitions", Integer.toString(partitions), "--http-port", "0",
                // A key of this benchmark's own, kept beside its data: nothing is resolved later.
                "--pseudonym-key-file", EmbeddedPseudonymKey.loadOrCreate(dataDir).file().toString()));
        command.addAll(runFlags);
        final ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        final VigilUnderTest vigil = new VigilUnderTest(pb.start(), output, dataDir.resolve("state"), applicationId);
        final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            if (!vigil.process.isAlive()) {
                throw new IOException("vigil run exited (" + vigil.process.exitValue() + "):\n" + Files.readString(output));
            }
            if (Files.readString(output).contains("Vigil is running")) {
                return vigil;
            }
            Thread.sleep(200);
        }
        vigil.close();
        throw new IOException("vigil run did not start within 3 minutes:\n" + Files.readString(output));
    }

    /** The class path this JVM runs with ({@code vigil.jar}, whose manifest names lib/), made absolute. */
    private static String classPath() {
        return Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(p -> p.endsWith("*") ? p : Path.of(p).toAbsolutePath().toString())
                .reduce((a, b) -> a + java.io.File.pathSeparator + b).orElseThrow();
    }

    String applicationId() {
        return applicationId;
    }

    long pid() {
        return process.pid();
    }

    /**
     * The child's live heap: a full collection is requested over JMX ({@code MemoryMXBean.gc()}),
     * then the heap in use right after it is read, summed over the heap pools (from
     * {@code GcInfo.getMemoryUsageAfterGc}). Without the full collection, "after the latest GC"
     * is usually after a young collection and includes old-generation garbage that only the next
     * concurrent cycle frees: it climbed 85 to 760 MiB and fell back in one soak, a trend that says
     * nothing about leaks. One full GC per sample (every 10 s) costs the child a short pause.
     */
    long liveHeapAfterFullGc() throws IOException {
        if (jmx == null) {
            try {
                final VirtualMachine vm = VirtualMachine.attach(Long.toString(process.pid()));
                try {
                    jmx = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()));
                } finally {
                    vm.detach();
                }
            } catch (final com.sun.tools.attach.AttachNotSupportedException e) {
                throw new IOException("cannot attach to vigil run (pid " + process.pid() + ")", e);
            }
        }
        final MBeanServerConnection server = jmx.getMBeanServerConnection();
        ManagementFactory.newPlatformMXBeanProxy(server, ManagementFactory.MEMORY_MXBEAN_NAME,
                java.lang.management.MemoryMXBean.class).gc();
        long latestEnd = -1;
        long used = -1;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getPlatformMXBeans(server, GarbageCollectorMXBean.class)) {
            final com.sun.management.GarbageCollectorMXBean sun = ManagementFactory.newPlatformMXBeanProxy(server,
                    gc.getObjectName().toString(), com.sun.management.GarbageCollectorMXBean.class);
            final com.sun.management.GcInfo info = sun.getLastGcInfo();
            if (info == null || info.getEndTime() < latestEnd) {
                continue;
            }
            latestEnd = info.getEndTime();
            used = 0;
            for (final Map.Entry<String, MemoryUsage> pool : info.getMemoryUsageAfterGc().entrySet()) {
                if (isHeapPool(pool.getKey())) {
                    used += pool.getValue().getUsed();
                }
            }
        }
        return used;
    }

    private static boolean isHeapPool(final String name) {
        return !(name.contains("Metaspace") || name.contains("Code") || name.contains("Class Space")
                || name.contains("CodeHeap"));
    }

    /** Bytes of local state (RocksDB stores, checkpoints) on disk. */
    long stateBytesOnDisk() throws IOException {
        if (!Files.isDirectory(stateDir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(stateDir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (final IOException e) {
                    return 0; // a file RocksDB deleted between listing and sizing
                }
            }).sum();
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path output() {
        return output;
    }

    /** SIGTERM (Vigil commits and leaves the group), SIGKILL after 60 s. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (jmx != null) {
            try {
                jmx.close();
            } catch (final IOException e) {
                // the child is going away anyway
            }
            jmx = null;
        }
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
