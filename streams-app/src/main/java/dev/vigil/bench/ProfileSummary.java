package dev.vigil.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Summarises a JFR recording's {@code jdk.ExecutionSample} events (what {@code jfr print
 * --events jdk.ExecutionSample} lists): the top frames by self time, and the share of samples
 * whose stack passes through each part of Vigil's pipeline, so the bottleneck has a name.
 */
public final class ProfileSummary {
    /** Stage names and the frame prefixes that mean a sample is working for that stage; first match wins. */
    private static final Map<String, List<String>> STAGES = new LinkedHashMap<>();

    static {
        STAGES.put("classifier (dev.vigil.classify)", List.of("dev.vigil.classify."));
        STAGES.put("Avro serdes", List.of("dev.vigil.serde.", "org.apache.avro."));
        STAGES.put("state stores (RocksDB, caching, changelog)", List.of("org.rocksdb.",
                "org.apache.kafka.streams.state."));
        STAGES.put("monitoring stages (conversation, aggregate, abuse, alert)", List.of("dev.vigil.conversation.",
                "dev.vigil.aggregate.", "dev.vigil.abuse.", "dev.vigil.alert."));
        STAGES.put("JSON state serde (Jackson)", List.of("com.fasterxml.jackson."));
        STAGES.put("Kafka clients (produce, fetch, transactions)", List.of("org.apache.kafka.clients.",
                "org.apache.kafka.common."));
        STAGES.put("metrics (Micrometer)", List.of("io.micrometer."));
    }

    private ProfileSummary() {
    }

    public static void print(final Path recording, final PrintStream out, final int top) throws IOException {
        final Map<String, Integer> selfFrames = new HashMap<>();
        final Map<String, Integer> stageSamples = new LinkedHashMap<>();
        final Map<String, Integer> jsonCallers = new HashMap<>();
        int total = 0;
        for (final RecordedEvent e : RecordingFile.readAllEvents(recording)) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                continue;
            }
            final List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            total++;
            selfFrames.merge(name(frames.get(0)), 1, Integer::sum);
            final String stage = stageOf(frames);
            stageSamples.merge(stage, 1, Integer::sum);
            if (stage.startsWith("JSON")) {
                jsonCallers.merge(streamsCaller(frames), 1, Integer::sum);
            }
        }
        out.printf(Locale.ROOT, "  %d execution samples in %s%n", total, recording);
        if (total == 0) {
            return;
        }
        out.println("  samples by pipeline part (innermost Vigil-relevant frame wins):");
        final int all = total;
        stageSamples.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(s -> out.printf(Locale.ROOT, "    %5.1f%%  %s%n", 100.0 * s.getValue() / all, s.getKey()));
        if (!jsonCallers.isEmpty()) {
            out.println("  JSON state serde samples by the Kafka Streams operator that asked for them:");
            jsonCallers.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(3)
                    .forEach(c -> out.printf(Locale.ROOT, "    %5.1f%%  %s%n", 100.0 * c.getValue() / all, c.getKey()));
        }
        out.println("  top frames by self time:");
        selfFrames.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(f -> out.printf(Locale.ROOT, "    %5.1f%%  %s%n", 100.0 * f.getValue() / all, f.getKey()));
    }

    /** The stage of the innermost frame (top of stack first) that belongs to a known stage. */
    private static String stageOf(final List<RecordedFrame> frames) {
        for (final RecordedFrame f : frames) {
            final String type = f.getMethod().getType().getName();
            for (final Map.Entry<String, List<String>> stage : STAGES.entrySet()) {
                if (stage.getValue().stream().anyMatch(type::startsWith)) {
                    return stage.getKey();
                }
            }
        }
        return "other (JDK, Kafka Streams framework, GC-free runtime)";
    }

    /** The innermost Kafka Streams DSL operator on the stack: which kind of store work it is. */
    private static String streamsCaller(final List<RecordedFrame> frames) {
        for (final RecordedFrame f : frames) {
            if (f.getMethod().getType().getName().startsWith("org.apache.kafka.streams.kstream.internals.")) {
                return name(f);
            }
        }
        return "(no DSL operator on the stack)";
    }

    private static String name(final RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }
}
