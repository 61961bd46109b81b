package dev.vigil;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layout a reader relies on: one package per stage of the data flow, a low toolkit below the
 * stages, and the wiring above them. Read from the main sources' imports and fully qualified
 * names, so a dependency that brings a cycle back fails here, with the packages it joins.
 */
class PackageCyclesTest {
    private static final Path MAIN = Path.of("src/main/java/dev/vigil");
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.vigil\\.([a-z]+)\\.[A-Za-z]");
    /** Below every stage: none of them may depend on a stage or on the wiring. */
    private static final Set<String> TOOLKIT = Set.of("config", "privacy", "stream", "serde", "metrics", "schema");
    /** The wiring: only the application, its jobs and tools above it may use it. */
    private static final String WIRING = "topology";
    private static final Set<String> ABOVE_WIRING = Set.of("app", "cli", "bench", "replay");

    /** Package → packages it refers to (itself excluded). */
    private static Map<String, Set<String>> dependencies() throws IOException {
        final Map<String, Set<String>> deps = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (final Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                final String pkg = MAIN.relativize(f).getName(0).toString();
                if (pkg.endsWith(".java")) {
                    continue;
                }
                final Set<String> out = deps.computeIfAbsent(pkg, p -> new TreeSet<>());
                // String literals name classes too (a process to launch), but that is no dependency
                // of the code; code and documentation links are.
                final String text = Files.readString(f).replaceAll("(?m)^package .*$", "")
                        .replaceAll("\"(?:[^\"\\\\\n]++|\\\\.)*+\"", "\"\"");
                final Matcher m = REFERENCE.matcher(text);
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        out.add(m.group(1));
                    }
                }
            }
        }
        return deps;
    }

    @Test
    void shouldHaveNoCycleAmongPackages() throws IOException {
        final Map<String, Set<String>> deps = dependencies();
        assertTrue(deps.size() > 10, "read the sources: " + deps.keySet());
        assertEquals(List.of(), cycles(deps), "packages that depend on each other, directly or around a loop");
    }

    @Test
    void shouldKeepTheToolkitBelowTheStagesAndTheWiringAboveThem() throws IOException {
        final Map<String, Set<String>> deps = dependencies();
        final List<String> wrong = new ArrayList<>();
        deps.forEach((pkg, uses) -> {
            for (final String used : uses) {
                if (TOOLKIT.contains(pkg) && !TOOLKIT.contains(used)) {
                    wrong.add(pkg + " (toolkit) uses " + used);
                }
                if (used.equals(WIRING) && !ABOVE_WIRING.contains(pkg)) {
                    wrong.add(pkg + " uses the wiring (" + WIRING + ")");
                }
            }
        });
        assertEquals(List.of(), wrong);
    }

    /** Strongly connected components of more than one package (Tarjan). */
    static List<Set<String>> cycles(final Map<String, Set<String>> deps) {
        final Map<String, Integer> index = new HashMap<>();
        final Map<String, Integer> low = new HashMap<>();
        final Deque<String> stack = new ArrayDeque<>();
        final Set<String> onStack = new TreeSet<>();
        final List<Set<String>> out = new ArrayList<>();
        final int[] counter = {0};
        for (final String v : deps.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, deps, index, low, stack, onStack, out, counter);
            }
        }
        return out;
    }

    private static void connect(final String v, final Map<String, Set<String>> deps, final Map<String, Integer> index,
                                final Map<String, Integer> low, final Deque<String> stack, final Set<String> onStack,
                                final List<Set<String>> out, final int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]);
        counter[0]++;
        stack.push(v);
        onStack.add(v);
        for (final String w : deps.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, deps, index, low, stack, onStack, out, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            final Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                out.add(component);
            }
        }
    }

    @Test
    void shouldFindACycleWhenThereIsOne() {
        final Map<String, Set<String>> deps = new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"),
                "d", Set.of("a")));
        assertEquals(List.of(Set.of("a", "b", "c")), cycles(deps));
    }
}
