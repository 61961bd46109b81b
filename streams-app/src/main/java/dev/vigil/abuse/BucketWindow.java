package dev.vigil.abuse;

import java.util.TreeMap;

/** Everything one LSH band bucket saw in one window: its members, capped. Built when the window closes. */
public final class BucketWindow {
    public TreeMap<String, Member> members = new TreeMap<>();
    /** Members not kept because the bucket was full. */
    public long overflow;
    /**
     * Greatest classifier version among the sightings (one in steady state; the greatest during
     * an upgrade, so the result does not depend on the order partitions were read in).
     */
    public String classifierVersion;

    /**
     * Adds one slice's entry for a member (not changed: it is the stored one), merging it with
     * the member's entries from other slices. Entries come in a fixed order, so which members a
     * full bucket keeps is the same in every run.
     */
    BucketWindow add(final String key, final Member entry, final int cap) {
        classifierVersion = Member.newerVersion(classifierVersion, entry.classifierVersion);
        final Member existing = members.get(key);
        if (existing != null) {
            existing.merge(entry);
        } else if (members.size() < cap) {
            final Member copy = new Member();
            copy.simhash = entry.simhash;
            copy.account = entry.account;
            copy.merge(entry);
            members.put(key, copy);
        } else {
            overflow++;
        }
        return this;
    }
}
