package dev.vigil.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kafka's own load tools from the {@code kafka-tools} jar, run as separate JVMs against the
 * benchmark's broker: {@code ProducerPerformance} (the produce ceiling) and
 * {@code ConsumerPerformance} (the consume ceiling) for records of a given size.
 */
final class KafkaPerf {
    private static final Pattern PRODUCED = Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec");

    private final String classPath;
    private final String bootstrapServers;

    KafkaPerf(final String classPath, final String bootstrapServers) {
        this.classPath = classPath;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Records per second {@code ProducerPerformance} sends as fast as it can, with the tool's
     * producer defaults (acks=all, idempotent, linger 5 ms, no compression) and {@code recordSize}
     * -byte values.
     */
    double produce(final String topic, final long records, final int recordSize) throws IOException, InterruptedException {
        final String out = runTool("org.apache.kafka.tools.ProducerPerformance", "--topic", topic,
                "--num-records", Long.toString(records), "--record-size", Integer.toString(recordSize),
                "--throughput", "-1", "--producer-props", "bootstrap.servers=" + bootstrapServers);
        double last = Double.NaN;
        final Matcher m = PRODUCED.matcher(out);
        while (m.find()) {
            // The last match is the final summary; earlier ones are progress lines.
            last = Double.parseDouble(m.group(2));
        }
        if (Double.isNaN(last)) {
            throw new IOException("ProducerPerformance printed no summary:\n" + out);
        }
        return last;
    }

    /**
     * Records per second {@code ConsumerPerformance} fetches ({@code fetch.nMsg.sec}: from the
     * first fetch to the last, without the group join, as Vigil's figure leaves out its start).
     */
    double consume(final String topic, final long records) throws IOException, InterruptedException {
        final String out = runTool("org.apache.kafka.tools.ConsumerPerformance", "--bootstrap-server", bootstrapServers,
                "--topic", topic, "--messages", Long.toString(records), "--timeout", "60000");
        final List<String> lines = out.lines().map(String::trim).toList();
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("start.time")) {
                final List<String> header = Arrays.stream(lines.get(i).split(",")).map(String::trim).toList();
                final String[] values = lines.get(i + 1).split(",");
                final int column = header.indexOf("fetch.nMsg.sec");
                if (column >= 0 && column < values.length) {
                    return Double.parseDouble(values[column].trim());
                }
            }
        }
        throw new IOException("ConsumerPerformance printed no summary:\n" + out);
    }

    private String runTool(final String mainClass, final String... args) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-Dlog4j2.level=WARN", "-cp", classPath, mainClass));
        command.addAll(List.of(args));
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException(mainClass + " did not finish");
        }
        if (p.exitValue() != 0) {
            throw new IOException(mainClass + " failed (" + p.exitValue() + "):\n" + out);
        }
        return out;
    }
}
