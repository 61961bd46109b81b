package dev.vigil.abuse;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.vigil.stream.PackedLongs;
import dev.vigil.stream.SortableKeys;

import java.util.TreeSet;

/** One account's messages with one exact fingerprint, within a window. */
public final class Member {
    /** Distinct messages remembered per member; beyond it a flood from one account adds nothing new. */
    static final int MESSAGE_CAP = 100;

    public long simhash;
    public String account;
    @JsonSerialize(using = PackedLongs.Writer.class)
    @JsonDeserialize(using = PackedLongs.Reader.class)
    public TreeSet<Long> messages = new TreeSet<>();
    public long firstSeen = Long.MAX_VALUE;
    public long lastSeen = Long.MIN_VALUE;
    /**
     * Version of the classifier that fingerprinted the messages: kept in a bucket's stored
     * entries (the greatest wins), left out of the members a window hands on.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String classifierVersion;

    /**
     * The newer of two classifier versions (either may be null): during a roll-out a window mixes
     * versions and names the greatest, whatever order its records came in.
     */
    static String newerVersion(final String current, final String seen) {
        return seen != null && (current == null || seen.compareTo(current) > 0) ? seen : current;
    }

    static String key(final long simhash, final String account) {
        return SortableKeys.hex(simhash, 16) + "|" + account;
    }

    String key() {
        return key(simhash, account);
    }

    void merge(final Member other) {
        for (final long m : other.messages) {
            if (messages.size() >= MESSAGE_CAP) {
                break;
            }
            messages.add(m);
        }
        firstSeen = Math.min(firstSeen, other.firstSeen);
        lastSeen = Math.max(lastSeen, other.lastSeen);
    }

    static Member of(final Sighting s) {
        final Member m = new Member();
        m.simhash = s.simhash;
        m.account = s.account;
        m.messages.add(s.messageHash);
        m.firstSeen = s.eventTime;
        m.lastSeen = s.eventTime;
        m.classifierVersion = s.classifierVersion;
        return m;
    }
}
