package dev.vigil.abuse;

import java.util.TreeMap;

/** Everything one LSH band bucket saw in one window: its members, capped. */
public final class BucketWindow {
    public TreeMap<String, Member> members = new TreeMap<>();
    /** Sightings not kept because the bucket was full. */
    public long overflow;
    /**
     * Greatest classifier version among the sightings (one in steady state; the greatest during
     * an upgrade, so the result does not depend on the order partitions were read in).
     */
    public String classifierVersion;

    /** Roughly how much memory this takes, in members (what the object cache bounds). */
    public long weight() {
        return 1 + members.size();
    }

    BucketWindow add(final Sighting s, final int cap) {
        if (s.classifierVersion != null
                && (classifierVersion == null || s.classifierVersion.compareTo(classifierVersion) > 0)) {
            classifierVersion = s.classifierVersion;
        }
        final String key = Member.key(s.simhash, s.account);
        final Member existing = members.get(key);
        if (existing != null) {
            existing.merge(Member.of(s));
        } else if (members.size() < cap) {
            members.put(key, Member.of(s));
        } else {
            overflow++;
        }
        return this;
    }
}
