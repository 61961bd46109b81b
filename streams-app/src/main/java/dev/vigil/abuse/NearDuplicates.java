package dev.vigil.abuse;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Groups members into near-duplicate clusters: fingerprints within the Hamming distance are
 * linked, and a cluster is a connected component (single linkage), so a campaign that drifts a
 * word at a time stays one cluster. Deterministic: the result depends only on the set of members.
 */
public final class NearDuplicates {
    private NearDuplicates() {
    }

    /** The clusters of {@code members}, each as its members in key order; clusters ordered by first key. */
    public static List<List<Member>> clusters(final Collection<Member> members, final int hamming) {
        final TreeMap<Long, List<Member>> byFingerprint = new TreeMap<>(Long::compareUnsigned);
        final TreeMap<String, Member> sorted = new TreeMap<>();
        for (final Member m : members) {
            sorted.put(m.key(), m);
        }
        for (final Member m : sorted.values()) {
            byFingerprint.computeIfAbsent(m.simhash, f -> new ArrayList<>()).add(m);
        }
        final long[] prints = byFingerprint.keySet().stream().mapToLong(Long::longValue).toArray();
        final int[] parent = new int[prints.length];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
        }
        for (int i = 0; i < prints.length; i++) {
            for (int j = i + 1; j < prints.length; j++) {
                if (SimHash.hammingDistance(prints[i], prints[j]) <= hamming) {
                    union(parent, i, j);
                }
            }
        }
        final TreeMap<Integer, List<Member>> components = new TreeMap<>();
        for (int i = 0; i < prints.length; i++) {
            components.computeIfAbsent(find(parent, i), r -> new ArrayList<>()).addAll(byFingerprint.get(prints[i]));
        }
        return new ArrayList<>(components.values());
    }

    public static TreeSet<String> accounts(final Collection<Member> members) {
        final TreeSet<String> accounts = new TreeSet<>();
        for (final Member m : members) {
            accounts.add(m.account);
        }
        return accounts;
    }

    private static int find(final int[] parent, final int i) {
        int r = i;
        while (parent[r] != r) {
            parent[r] = parent[parent[r]];
            r = parent[r];
        }
        return r;
    }

    private static void union(final int[] parent, final int a, final int b) {
        final int ra = find(parent, a);
        final int rb = find(parent, b);
        // The lower index (lower fingerprint) stays the root: the same set always has the same root.
        if (ra < rb) {
            parent[rb] = ra;
        } else if (rb < ra) {
            parent[ra] = rb;
        }
    }
}
