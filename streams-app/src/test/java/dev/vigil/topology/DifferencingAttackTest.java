package dev.vigil.topology;

import dev.vigil.config.MonitoringConfig;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.PushbackReason;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.WindowAggregate;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

import static dev.vigil.topology.MonitoringDriver.T0;
import static dev.vigil.topology.MonitoringDriver.assistant;
import static dev.vigil.topology.MonitoringDriver.at;
import static dev.vigil.topology.MonitoringDriver.human;
import static dev.vigil.topology.MonitoringDriver.pushback;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An attacker who reads every published aggregate (both window sizes, every dimension, the
 * pushback reasons inside cells) and every alert, and takes any linear combination of the
 * numbers, tries to recover the message count of each suppressed cell.
 *
 * <p>The unknowns are the message counts of every combination of a time step, a language, a
 * model and a pushback reason (or none) that the published cell names allow. The time step is
 * the finest any published window can resolve: the 5-minute grid for Vigil's publication, the
 * minute for the older one. A cell with no record in a window is known to be empty. A suppressed
 * count is recovered when its row (which unknowns it
 * sums) lies in the span of the rows of the published numbers; the test solves that exactly, in
 * arithmetic modulo a large prime. The same attacker, given what Vigil published before this
 * defence (overlapping windows, larger windows counted on their own), recovers suppressed cells:
 * the test shows it would catch the attack it guards against.
 */
class DifferencingAttackTest {
    private static final long P = 2_147_483_647L;
    private static final String[] LANGUAGES = {"en", "fr"};
    private static final String[] MODELS = {"model-a", "model-b", "model-c"};
    private static final PushbackReason[] REASONS = {PushbackReason.HARMFUL_REQUEST, PushbackReason.FACTUAL_CORRECTION, PushbackReason.OTHER};
    private static final long MINUTE = 60_000;
    private static final List<String> REASON_NAMES = List.of("-", "harmful_request", "factual_correction", "other");

    /** One message as the attacker's unknowns see it. */
    private record Message(int minute, String language, String model, String reason, String account) {
    }

    private static final class Traffic {
        final List<Message> messages = new ArrayList<>();
    }

    /** Three hours of conversations, busy and quiet stretches, a rare language and two small models. */
    private static Traffic send(final MonitoringDriver d, final long seed) {
        final Random random = new Random(seed);
        final Traffic t = new Traffic();
        int conversation = 0;
        for (int minute = 0; minute < 180; minute++) {
            final boolean quiet = minute >= 60 && minute < 80 || minute >= 150 && minute < 158;
            final int conversations = quiet ? random.nextInt(2) : 2 + random.nextInt(3);
            for (int c = 0; c < conversations; c++) {
                final String id = "attack-" + seed + "-" + conversation++;
                final String account = "acct-" + random.nextInt(70);
                final String language = random.nextInt(8) == 0 ? "fr" : "en";
                final int m = random.nextInt(20);
                final String model = m == 0 ? "model-c" : m < 4 ? "model-b" : "model-a";
                final Instant when = at(Duration.ofMinutes(minute).plusSeconds(random.nextInt(40)));
                d.send(human(id, account, 0, when).setLanguage(language).setModel(model).build());
                t.messages.add(new Message(minute, language, model, "-", account));
                final MessageSignals.Builder reply = assistant(id, account, 1, when.plusSeconds(5))
                        .setLanguage(language).setModel(model);
                String reason = "-";
                if (random.nextInt(3) == 0) {
                    final PushbackReason r = REASONS[random.nextInt(REASONS.length)];
                    pushback(reply, r);
                    reason = r.name().toLowerCase(java.util.Locale.ROOT);
                }
                d.send(reply.build());
                t.messages.add(new Message(minute, language, model, reason, account));
            }
        }
        d.advanceStreamTime(at(Duration.ofHours(5)));
        return t;
    }

    /** Which messages a cell {@code dimension=value} counts. */
    private static Predicate<Message> cell(final String dimension, final String value) {
        return switch (dimension) {
            case "all", "affective_category" -> m -> true;
            case "language" -> m -> m.language.equals(value);
            case "model" -> m -> m.model.equals(value);
            case "pushback_reason" -> m -> m.reason.equals(value);
            default -> throw new IllegalArgumentException(dimension);
        };
    }

    /** The exact row space of what the attacker has read, over the integers modulo {@link #P}. */
    private static final class Knowledge {
        private final List<Message> unknowns = new ArrayList<>();
        private final Map<Message, Integer> index = new HashMap<>();
        private final TreeMap<Integer, long[]> basis = new TreeMap<>();
        /** The true value of every unknown: only to check that each published figure is the sum its row says. */
        private long[] truth;
        private int step;

        /** Every combination of {@code steps} time steps (each {@code step} minutes) and the values a reader sees named. */
        Knowledge(final int steps, final int step, final List<String> reasons) {
            for (int i = 0; i < steps; i++) {
                for (final String l : LANGUAGES) {
                    for (final String m : MODELS) {
                        for (final String r : reasons) {
                            index.put(new Message(i * step, l, m, r, ""), unknowns.size());
                            unknowns.add(new Message(i * step, l, m, r, ""));
                        }
                    }
                }
            }
        }

        Knowledge truly(final Traffic t, final int step, final boolean reasons) {
            this.step = step;
            truth = new long[unknowns.size()];
            for (final Message m : t.messages) {
                truth[index.get(new Message(m.minute / step * step, m.language, m.model, reasons ? m.reason : "-", ""))]++;
            }
            return this;
        }

        /** Learns a published figure, after checking it is the sum of the unknowns its row names. */
        void learn(final long[] row, final long published, final String what) {
            long sum = 0;
            for (int i = 0; i < row.length; i++) {
                sum += row[i] * truth[i];
            }
            assertEquals(published, sum, "the attacker's reading of " + what);
            learn(row);
        }

        /** The row of a number that sums the unknowns {@code which} accepts. */
        long[] row(final Predicate<Message> which) {
            final long[] row = new long[unknowns.size()];
            for (int i = 0; i < row.length; i++) {
                if (which.test(unknowns.get(i))) {
                    row[i] = 1;
                }
            }
            return row;
        }

        void learn(final long[] row) {
            final long[] r = reduce(row.clone());
            for (int i = 0; i < r.length; i++) {
                if (r[i] != 0) {
                    final long inv = inverse(r[i]);
                    for (int j = i; j < r.length; j++) {
                        r[j] = r[j] * inv % P;
                    }
                    basis.put(i, r);
                    return;
                }
            }
        }

        boolean knows(final long[] row) {
            final long[] r = reduce(row.clone());
            for (final long v : r) {
                if (v != 0) {
                    return false;
                }
            }
            return true;
        }

        private long[] reduce(final long[] r) {
            for (final Map.Entry<Integer, long[]> b : basis.entrySet()) {
                final int pivot = b.getKey();
                if (r[pivot] != 0) {
                    final long f = r[pivot];
                    final long[] br = b.getValue();
                    for (int j = pivot; j < r.length; j++) {
                        if (br[j] != 0) {
                            r[j] = Math.floorMod(r[j] - f * br[j] % P, P);
                        }
                    }
                }
            }
            return r;
        }

        private static long inverse(final long a) {
            return java.math.BigInteger.valueOf(a).modInverse(java.math.BigInteger.valueOf(P)).longValueExact();
        }
    }

    private static int minuteOf(final Instant i) {
        return (int) ((i.toEpochMilli() - T0.toEpochMilli()) / MINUTE);
    }

    private static Predicate<Message> within(final WindowAggregate a) {
        final int from = minuteOf(a.getWindowStart());
        final int to = minuteOf(a.getWindowEnd());
        return m -> m.minute >= from && m.minute < to;
    }

    /**
     * Learns every number a published cell gives: its message count, its pushback count and each
     * pushback reason it names, the "(suppressed)" entry being the reasons whose own cells were
     * not published in the same smallest windows.
     */
    private static void read(final Knowledge k, final Traffic t, final List<WindowAggregate> published) {
        // Which reason cells each smallest window published, to know what "(suppressed)" sums.
        final Map<String, Set<String>> publishedReasons = new HashMap<>();
        // Which smallest windows published each cell: a larger cell is documented to sum those.
        final Map<String, Set<String>> publishedSlots = new HashMap<>();
        for (final WindowAggregate a : published) {
            if (a.getWindowSize().equals("PT5M") && !a.getSuppressed()) {
                publishedSlots.computeIfAbsent(a.getDimension() + "=" + a.getValue(), s -> new HashSet<>())
                        .add(a.getWindowStart().toString());
                if (a.getDimension().equals("pushback_reason")) {
                    publishedReasons.computeIfAbsent(a.getWindowStart().toString(), s -> new HashSet<>()).add(a.getValue());
                }
            }
        }
        for (final WindowAggregate a : published) {
            if (a.getSuppressed()) {
                continue;
            }
            final Set<String> parts = publishedSlots.getOrDefault(a.getDimension() + "=" + a.getValue(), Set.of());
            final Predicate<Message> in = within(a).and(cell(a.getDimension(), a.getValue()))
                    .and(m -> parts.contains(slotStart(m.minute)));
            final String what = a.getWindowSize() + " " + a.getDimension() + "=" + a.getValue() + " at " + a.getWindowStart();
            k.learn(k.row(in), a.getMessages(), what + " messages");
            if (a.getPushbackCount() == null) {
                continue; // withheld: too few accounts behind the window's pushback
            }
            k.learn(k.row(in.and(m -> !m.reason.equals("-"))), a.getPushbackCount(), what + " pushback");
            for (final Map.Entry<String, Long> e : a.getPushbackByReason().entrySet()) {
                final String reason = e.getKey();
                if (reason.equals("(suppressed)")) {
                    k.learn(k.row(in.and(m -> !m.reason.equals("-") && !publishedReasons
                            .getOrDefault(slotStart(m.minute), Set.of()).contains(m.reason))), e.getValue(),
                            what + " pushback of suppressed reasons");
                } else {
                    k.learn(k.row(in.and(m -> m.reason.equals(reason))), e.getValue(), what + " pushback " + reason);
                }
            }
        }
    }

    /** A cell with no record at all in a 5-minute window had nothing in it: the attacker learns a zero. */
    private static void readAbsences(final Knowledge k, final List<WindowAggregate> published) {
        final Set<String> present = new HashSet<>();
        published.forEach(a -> present.add(a.getWindowSize() + a.getWindowStart() + a.getDimension() + "=" + a.getValue()));
        final Map<String, List<String>> values = new LinkedHashMap<>();
        values.put("language", List.of(LANGUAGES));
        values.put("model", List.of(MODELS));
        values.put("pushback_reason", REASON_NAMES.subList(1, REASON_NAMES.size()));
        for (int slot = 0; slot < 180; slot += 5) {
            final int from = slot;
            final String start = at(Duration.ofMinutes(slot)).toString();
            values.forEach((dimension, names) -> names.forEach(v -> {
                if (!present.contains("PT5M" + start + dimension + "=" + v)) {
                    k.learn(k.row(cell(dimension, v).and(m -> m.minute >= from && m.minute < from + 5)), 0,
                            "absent " + dimension + "=" + v + " at " + start);
                }
            }));
        }
    }

    private static String slotStart(final int minute) {
        return at(Duration.ofMinutes(minute - minute % 5)).toString();
    }

    @Test
    void shouldLeaveEverySuppressedCountUnrecoverableFromEveryPublishedFigure() {
        int suppressedSeen = 0;
        for (final long seed : new long[] {1, 2, 3}) {
            try (MonitoringDriver d = new MonitoringDriver(MonitoringConfig.defaults())) {
                final Traffic t = send(d, seed);
                final List<WindowAggregate> published = d.aggregates();
                // Published windows start and end on the 5-minute grid: nothing finer can be told apart.
                final Knowledge k = new Knowledge(180 / 5, 5, REASON_NAMES).truly(t, 5, true);
                read(k, t, published);
                readAbsences(k, published);
                for (final SafetyAlert alert : d.alerts()) {
                    // Alerts that carry counts would be rows too; by default they carry none.
                    assertEquals("withheld", alert.getEvidence().getOrDefault("counts", "withheld"), alert.toString());
                }
                final List<String> recovered = new ArrayList<>();
                for (final WindowAggregate a : published) {
                    if (!a.getSuppressed()) {
                        continue;
                    }
                    final Predicate<Message> hiddenCell = within(a).and(cell(a.getDimension(), a.getValue()));
                    if (t.messages.stream().noneMatch(hiddenCell)) {
                        continue; // only a conversation's end counted there: no message count to recover
                    }
                    final long[] target = k.row(hiddenCell);
                    suppressedSeen++;
                    if (k.knows(target)) {
                        recovered.add(a.getWindowSize() + " " + a.getDimension() + "=" + a.getValue() + " at "
                                + a.getWindowStart());
                    }
                }
                assertEquals(List.of(), recovered, "seed " + seed + ": suppressed counts an attacker can compute");
                assertTrue(published.stream().anyMatch(a -> a.getWindowSize().equals("PT1H") && !a.getSuppressed()),
                        "hour cells are published");
            }
        }
        System.out.println("differencing attack: " + suppressedSeen + " suppressed cells with messages attacked, 0 recovered");
        assertTrue(suppressedSeen > 100, "the traffic has suppressed cells to attack: " + suppressedSeen);
    }

    /**
     * The same attacker against the publication Vigil had before: every hopping window of both
     * sizes, each cell below k suppressed with the smallest published cell of its dimension.
     */
    @Test
    void shouldRecoverSuppressedCountsFromOverlappingAndNestedWindowsPublishedOnTheirOwn() {
        try (MonitoringDriver d = new MonitoringDriver(MonitoringConfig.defaults())) {
            final Traffic t = send(d, 1);
            final int k = MonitoringConfig.defaults().k();
            final Knowledge knowledge = new Knowledge(180, 1, List.of("-"));
            final List<long[]> hidden = new ArrayList<>();
            // 5-minute windows every minute and 1-hour windows every 15 minutes, as before.
            for (final int[] size : new int[][] {{5, 1}, {60, 15}}) {
                for (int start = -size[0] + size[1]; start < 180; start += size[1]) {
                    final int from = start;
                    final int to = start + size[0];
                    final Map<String, Predicate<Message>> cells = new TreeMap<>();
                    cells.put("all=all", m -> true);
                    for (final String l : LANGUAGES) {
                        cells.put("language=" + l, cell("language", l));
                    }
                    for (final String m : MODELS) {
                        cells.put("model=" + m, cell("model", m));
                    }
                    final Map<String, Set<String>> accounts = new TreeMap<>();
                    cells.forEach((name, which) -> accounts.put(name, accountsOf(t, which.and(m -> m.minute >= from
                            && m.minute < to))));
                    final Set<String> suppressed = oldRule(accounts, k);
                    for (final Map.Entry<String, Predicate<Message>> c : cells.entrySet()) {
                        final long[] row = knowledge.row(c.getValue().and(m -> m.minute >= from && m.minute < to));
                        if (accounts.get(c.getKey()).isEmpty()) {
                            continue;
                        }
                        if (suppressed.contains(c.getKey())) {
                            hidden.add(row);
                        } else {
                            knowledge.learn(row);
                        }
                    }
                }
            }
            final long recovered = hidden.stream().filter(knowledge::knows).count();
            assertFalse(hidden.isEmpty());
            System.out.println("differencing attack on overlapping, separately counted windows: " + recovered + " of "
                    + hidden.size() + " suppressed cells recovered");
            assertTrue(recovered > 0, "overlapping and separately counted windows give suppressed cells away: "
                    + recovered + " of " + hidden.size());
        }
    }

    private static Set<String> accountsOf(final Traffic t, final Predicate<Message> which) {
        final Set<String> out = new TreeSet<>();
        t.messages.stream().filter(which).forEach(m -> out.add(m.account));
        return out;
    }

    /** Per dimension: cells below k, and with them the smallest published cell. */
    private static Set<String> oldRule(final Map<String, Set<String>> accounts, final int k) {
        final Set<String> out = new TreeSet<>();
        final Map<String, List<String>> byDimension = new TreeMap<>();
        accounts.forEach((cell, a) -> {
            if (!a.isEmpty()) {
                byDimension.computeIfAbsent(cell.substring(0, cell.indexOf('=')), x -> new ArrayList<>()).add(cell);
            }
        });
        for (final List<String> cells : byDimension.values()) {
            String smallest = null;
            boolean any = false;
            for (final String c : cells) {
                if (accounts.get(c).size() < k) {
                    out.add(c);
                    any = true;
                } else if (smallest == null || accounts.get(c).size() < accounts.get(smallest).size()) {
                    smallest = c;
                }
            }
            if (any && smallest != null) {
                out.add(smallest);
            }
        }
        return out;
    }
}
