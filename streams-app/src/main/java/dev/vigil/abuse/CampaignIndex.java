package dev.vigil.abuse;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The campaign merger's live view of its campaign store: every active campaign as an object, and
 * the campaigns each fingerprint band points to. Finding the campaign a cluster continues is then
 * a few map lookups, where it was a scan of the whole store, parsing every campaign (each up to
 * 100 000 accounts), for every cluster of every window: cost that grew with the campaigns still
 * inside their TTL until the merger could no longer keep up (the 10-minute soak's late lag rise).
 *
 * <p>The store stays the truth: every change goes to both, and the view is rebuilt from the store
 * whenever the task (re)starts, so a restored or rolled-back store is never shadowed by stale
 * objects. Lookups answer exactly what the scan in key order answered: the matching campaign with
 * the smallest id. Two fingerprints at most three bits apart share one of the four 16-bit bands
 * (pigeonhole), so looking only at campaigns that share a band misses none.
 */
final class CampaignIndex {
    private final KeyValueStore<String, Campaign> store;
    private final TreeMap<String, Campaign> byId = new TreeMap<>();
    /** Band number and bits ({@code band << 16 | bits}) to the ids of campaigns with such a fingerprint. */
    private final Map<Integer, TreeSet<String>> byBand = new HashMap<>();

    private CampaignIndex(final KeyValueStore<String, Campaign> store) {
        this.store = store;
    }

    /** Reads every campaign in {@code store} once. */
    static CampaignIndex load(final KeyValueStore<String, Campaign> store) {
        final CampaignIndex index = new CampaignIndex(store);
        try (KeyValueIterator<String, Campaign> it = store.all()) {
            while (it.hasNext()) {
                final KeyValue<String, Campaign> e = it.next();
                index.remember(e.value);
            }
        }
        return index;
    }

    /** Stores {@code c} (new or changed: its fingerprints only ever grow). */
    void put(final Campaign c) {
        store.put(c.id, c);
        remember(c);
    }

    /** Drops {@code c} from the store and the view. */
    void delete(final Campaign c) {
        store.delete(c.id);
        byId.remove(c.id);
        for (final long f : c.fingerprints) {
            for (int band = 0; band < CoordinatedAbuseStage.BANDS; band++) {
                final TreeSet<String> ids = byBand.get(bandKey(f, band));
                if (ids != null) {
                    ids.remove(c.id);
                    if (ids.isEmpty()) {
                        byBand.remove(bandKey(f, band));
                    }
                }
            }
        }
    }

    /** The campaign {@code cluster} continues (smallest id among those that match), or null. */
    Campaign findActive(final List<Member> cluster, final int hamming) {
        final TreeSet<String> candidates = new TreeSet<>();
        for (final Member m : cluster) {
            for (int band = 0; band < CoordinatedAbuseStage.BANDS; band++) {
                final TreeSet<String> ids = byBand.get(bandKey(m.simhash, band));
                if (ids != null) {
                    candidates.addAll(ids);
                }
            }
        }
        for (final String id : candidates) {
            final Campaign c = byId.get(id);
            if (c.matches(cluster, hamming)) {
                return c;
            }
        }
        return null;
    }

    /** The campaigns last seen before {@code cutoff}, in id order. */
    List<Campaign> quietSince(final long cutoff) {
        final List<Campaign> out = new ArrayList<>();
        for (final Campaign c : byId.values()) {
            if (c.lastSeen < cutoff) {
                out.add(c);
            }
        }
        return out;
    }

    /** Every campaign, in id order. */
    List<Campaign> all() {
        return new ArrayList<>(byId.values());
    }

    int size() {
        return byId.size();
    }

    private void remember(final Campaign c) {
        byId.put(c.id, c);
        for (final long f : c.fingerprints) {
            for (int band = 0; band < CoordinatedAbuseStage.BANDS; band++) {
                byBand.computeIfAbsent(bandKey(f, band), b -> new TreeSet<>()).add(c.id);
            }
        }
    }

    private static int bandKey(final long simhash, final int band) {
        return band << 16 | CoordinatedAbuseStage.bandBits(simhash, band);
    }
}
