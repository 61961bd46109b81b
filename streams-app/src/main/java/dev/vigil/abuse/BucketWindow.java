package dev.vigil.abuse;

import java.util.TreeMap;

/** Everything one LSH band bucket saw in one window: its members, capped. */
public final class BucketWindow {
    public TreeMap<String, Member> members = new TreeMap<>();
    /** Sightings not kept because the bucket was full. */
    public long overflow;

    BucketWindow add(final Sighting s, final int cap) {
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
