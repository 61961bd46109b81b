package dev.vigil.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vigil.config.Topics;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.serde.VigilSerdes;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The difference between two runs over the same input (two replays with different classifier
 * versions, or a replay and the live run): per message label, how many messages changed and from
 * which value to which; per alert type, which alerts (by dedup key) only one run raised. Labels
 * and dedup keys only: no text exists in either run's outputs.
 *
 * @param prefixA      output prefix of run A ({@code ""}: the live topics)
 * @param prefixB      output prefix of run B
 * @param versionsA    classifier versions seen in run A's signals
 * @param versionsB    classifier versions seen in run B's signals
 * @param compared     messages present in both runs
 * @param onlyInA      messages only run A classified
 * @param onlyInB      messages only run B classified
 * @param labels       per label: "from -> to" counts of changed messages, and how many were compared
 * @param alerts       per alert type: counts in each run and the dedup keys added (B only) and removed (A only)
 */
public record ReplayComparison(String prefixA, String prefixB, Set<String> versionsA, Set<String> versionsB,
                               long compared, long onlyInA, long onlyInB, Map<String, LabelDiff> labels,
                               Map<String, AlertDiff> alerts) {

    /** The labels compared, each read from a message of the role it applies to. */
    public static final Map<String, Function<MessageSignals, String>> LABELS = labelReaders();

    /**
     * One label's changes.
     *
     * @param messages messages of the role the label applies to, present in both runs
     * @param changed  how many of them got a different value
     * @param changes  "from -> to" to count, most frequent first
     */
    public record LabelDiff(long messages, long changed, Map<String, Long> changes) {
    }

    /**
     * One alert type's difference.
     *
     * @param inA     distinct dedup keys in run A
     * @param inB     distinct dedup keys in run B
     * @param added   dedup keys only in B
     * @param removed dedup keys only in A
     */
    public record AlertDiff(long inA, long inB, List<String> added, List<String> removed) {
    }

    private static Map<String, Function<MessageSignals, String>> labelReaders() {
        final Map<String, Function<MessageSignals, String>> m = new LinkedHashMap<>();
        m.put("sentiment", s -> s.getRole() != Role.HUMAN ? null : name(s.getSentiment()));
        m.put("crisis_level", s -> s.getRole() != Role.HUMAN ? null : name(s.getCrisisLevel()));
        m.put("affective_category", s -> s.getRole() != Role.HUMAN ? null : name(s.getAffectiveCategory()));
        m.put("pushback", s -> s.getRole() != Role.ASSISTANT ? null
                : !Boolean.TRUE.equals(s.getPushback()) ? "none"
                : s.getPushbackReason() == null ? "other" : name(s.getPushbackReason()));
        m.put("referral", s -> s.getRole() != Role.ASSISTANT ? null : name(s.getReferral()));
        return m;
    }

    private static String name(final Enum<?> e) {
        return e == null ? "none" : e.name().toLowerCase(Locale.ROOT);
    }

    /** Reads both runs' signals and alerts topics and compares them. */
    public static ReplayComparison read(final Properties client, final VigilSerdes serdes, final String prefixA,
                                        final String prefixB) {
        final var signals = serdes.value(MessageSignals.class).deserializer();
        final var alerts = serdes.value(SafetyAlert.class).deserializer();
        return compare(prefixA, prefixB,
                values(TopicReader.readAll(client, Topics.prefixed(prefixA, Topics.MESSAGE_SIGNALS), signals)),
                values(TopicReader.readAll(client, Topics.prefixed(prefixB, Topics.MESSAGE_SIGNALS), signals)),
                values(TopicReader.readAll(client, Topics.prefixed(prefixA, Topics.ALERTS), alerts)),
                values(TopicReader.readAll(client, Topics.prefixed(prefixB, Topics.ALERTS), alerts)));
    }

    private static <V> List<V> values(final List<ConsumerRecord<String, V>> records) {
        final List<V> out = new ArrayList<>(records.size());
        records.forEach(r -> {
            if (r.value() != null) {
                out.add(r.value());
            }
        });
        return out;
    }

    /** The comparison of two runs' signals and alerts (messages matched by event id). */
    public static ReplayComparison compare(final String prefixA, final String prefixB,
                                           final List<MessageSignals> signalsA, final List<MessageSignals> signalsB,
                                           final List<SafetyAlert> alertsA, final List<SafetyAlert> alertsB) {
        final Map<String, MessageSignals> a = byEventId(signalsA);
        final Map<String, MessageSignals> b = byEventId(signalsB);
        final Set<String> versionsA = new TreeSet<>();
        final Set<String> versionsB = new TreeSet<>();
        a.values().forEach(s -> versionsA.add(s.getClassifierVersion()));
        b.values().forEach(s -> versionsB.add(s.getClassifierVersion()));
        long compared = 0;
        long onlyInA = 0;
        final Map<String, long[]> counts = new LinkedHashMap<>();
        final Map<String, Map<String, Long>> changes = new LinkedHashMap<>();
        LABELS.keySet().forEach(l -> {
            counts.put(l, new long[2]);
            changes.put(l, new TreeMap<>());
        });
        for (final Map.Entry<String, MessageSignals> e : a.entrySet()) {
            final MessageSignals other = b.get(e.getKey());
            if (other == null) {
                onlyInA++;
                continue;
            }
            compared++;
            for (final Map.Entry<String, Function<MessageSignals, String>> label : LABELS.entrySet()) {
                final String from = label.getValue().apply(e.getValue());
                final String to = label.getValue().apply(other);
                if (from == null && to == null) {
                    continue;
                }
                final long[] c = counts.get(label.getKey());
                c[0]++;
                if (!java.util.Objects.equals(from, to)) {
                    c[1]++;
                    changes.get(label.getKey()).merge(from + " -> " + to, 1L, Long::sum);
                }
            }
        }
        final long onlyInB = b.keySet().stream().filter(k -> !a.containsKey(k)).count();
        final Map<String, LabelDiff> labels = new LinkedHashMap<>();
        for (final String l : LABELS.keySet()) {
            final Map<String, Long> sorted = new LinkedHashMap<>();
            changes.get(l).entrySet().stream()
                    .sorted((x, y) -> y.getValue().equals(x.getValue()) ? x.getKey().compareTo(y.getKey())
                            : Long.compare(y.getValue(), x.getValue()))
                    .forEach(x -> sorted.put(x.getKey(), x.getValue()));
            labels.put(l, new LabelDiff(counts.get(l)[0], counts.get(l)[1], sorted));
        }
        final Map<String, Set<String>> keysA = keysByType(alertsA);
        final Map<String, Set<String>> keysB = keysByType(alertsB);
        final Set<String> types = new TreeSet<>(keysA.keySet());
        types.addAll(keysB.keySet());
        final Map<String, AlertDiff> alerts = new LinkedHashMap<>();
        for (final String type : types) {
            final Set<String> ka = keysA.getOrDefault(type, Set.of());
            final Set<String> kb = keysB.getOrDefault(type, Set.of());
            alerts.put(type, new AlertDiff(ka.size(), kb.size(),
                    kb.stream().filter(k -> !ka.contains(k)).sorted().toList(),
                    ka.stream().filter(k -> !kb.contains(k)).sorted().toList()));
        }
        return new ReplayComparison(prefixA, prefixB, versionsA, versionsB, compared, onlyInA, onlyInB, labels, alerts);
    }

    private static Map<String, MessageSignals> byEventId(final List<MessageSignals> signals) {
        // A message appears once per run; should a producer have sent it twice, the last wins.
        final Map<String, MessageSignals> out = new LinkedHashMap<>();
        signals.forEach(s -> out.put(s.getEventId(), s));
        return out;
    }

    private static Map<String, Set<String>> keysByType(final List<SafetyAlert> alerts) {
        // An updated alert (a campaign that grew) repeats its dedup key: one situation, counted once.
        final Map<String, Set<String>> out = new TreeMap<>();
        alerts.forEach(a -> out.computeIfAbsent(a.getType().name(), t -> new TreeSet<>()).add(a.getDedupKey()));
        return out;
    }

    /** Whether the two runs differ in any label or alert. */
    public boolean differs() {
        return onlyInA > 0 || onlyInB > 0 || labels.values().stream().anyMatch(l -> l.changed() > 0)
                || alerts.values().stream().anyMatch(x -> !x.added().isEmpty() || !x.removed().isEmpty());
    }

    /** The report as tables for a terminal; at most {@code keysShown} dedup keys per list. */
    public void printTable(final PrintStream out, final int keysShown) {
        out.printf(Locale.ROOT, "Replay comparison: A = %s (classifier %s), B = %s (classifier %s)%n",
                display(prefixA), String.join(",", versionsA), display(prefixB), String.join(",", versionsB));
        out.printf(Locale.ROOT, "Messages compared: %,d   only in A: %,d   only in B: %,d%n%n", compared, onlyInA, onlyInB);
        out.printf(Locale.ROOT, "%-20s %10s %10s %8s%n", "label", "messages", "changed", "share");
        for (final Map.Entry<String, LabelDiff> e : labels.entrySet()) {
            final LabelDiff d = e.getValue();
            out.printf(Locale.ROOT, "%-20s %,10d %,10d %7.2f%%%n", e.getKey(), d.messages(), d.changed(),
                    d.messages() == 0 ? 0.0 : 100.0 * d.changed() / d.messages());
            d.changes().forEach((change, n) -> out.printf(Locale.ROOT, "    %-36s %,10d%n", change, n));
        }
        out.println();
        out.printf(Locale.ROOT, "%-20s %8s %8s %8s %8s%n", "alert type", "in A", "in B", "added", "removed");
        if (alerts.isEmpty()) {
            out.println("(no alerts in either run)");
        }
        for (final Map.Entry<String, AlertDiff> e : alerts.entrySet()) {
            final AlertDiff d = e.getValue();
            out.printf(Locale.ROOT, "%-20s %,8d %,8d %,8d %,8d%n", e.getKey(), d.inA(), d.inB(), d.added().size(),
                    d.removed().size());
            keys(out, "+ ", d.added(), keysShown);
            keys(out, "- ", d.removed(), keysShown);
        }
    }

    private static void keys(final PrintStream out, final String sign, final List<String> keys, final int shown) {
        keys.stream().limit(shown).forEach(k -> out.println("    " + sign + k));
        if (keys.size() > shown) {
            out.printf(Locale.ROOT, "    %s... %,d more (--json lists all)%n", sign, keys.size() - shown);
        }
    }

    private static String display(final String prefix) {
        return prefix.isEmpty() ? "live" : prefix;
    }

    /** The report as JSON (every dedup key listed). */
    public String toJson() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(this);
        } catch (final com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
