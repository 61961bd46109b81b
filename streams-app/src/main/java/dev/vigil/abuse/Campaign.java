package dev.vigil.abuse;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A coordinated-abuse cluster that has been alerted, kept while it stays active; or, with
 * {@link #hold} set, a cluster held during the warm-up after a fresh start, not (yet) alerted.
 */
public final class Campaign {
    /** Fingerprints kept to recognise the campaign again; a campaign with more variants is matched on these. */
    static final int FINGERPRINT_CAP = 2_000;
    static final int ACCOUNT_CAP = 100_000;
    static final int MESSAGE_CAP = 100_000;

    public String id;
    public String dedupKey;
    public long detectedWindowStart;
    public long detectedWindowEnd;
    public TreeSet<Long> fingerprints = new TreeSet<>();
    public TreeSet<String> accounts = new TreeSet<>();
    public TreeSet<Long> messages = new TreeSet<>();
    public long firstSeen = Long.MAX_VALUE;
    public long lastSeen = Long.MIN_VALUE;
    /** Accounts when the alert was last sent. */
    public long alertedAccounts;
    /** Set while this cluster is held during the warm-up (see {@link Hold}); absent for alerted campaigns. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Hold hold;

    /** Accounts and messages the last absorb could not keep past the caps; counted and reset by the stage. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    transient long cappedAccounts;
    @com.fasterxml.jackson.annotation.JsonIgnore
    transient long cappedMessages;

    /** Adds a cluster's members; true if anything new was learnt. */
    boolean absorb(final Iterable<Member> members) {
        return absorb(members, ACCOUNT_CAP, MESSAGE_CAP);
    }

    /** Adds a cluster's members, keeping at most {@code accountCap} accounts and {@code messageCap} messages. */
    boolean absorb(final Iterable<Member> members, final int accountCap, final int messageCap) {
        final int accountsBefore = accounts.size();
        final int messagesBefore = messages.size();
        for (final Member m : members) {
            if (fingerprints.size() < FINGERPRINT_CAP) {
                fingerprints.add(m.simhash);
            }
            if (accounts.size() < accountCap) {
                accounts.add(m.account);
            } else if (!accounts.contains(m.account)) {
                cappedAccounts++;
            }
            for (final long msg : m.messages) {
                if (messages.size() < messageCap) {
                    messages.add(msg);
                } else if (!messages.contains(msg)) {
                    cappedMessages++;
                }
            }
            firstSeen = Math.min(firstSeen, m.firstSeen);
            lastSeen = Math.max(lastSeen, m.lastSeen);
        }
        return accounts.size() > accountsBefore || messages.size() > messagesBefore;
    }

    boolean matches(final Iterable<Member> members, final int hamming) {
        for (final Member m : members) {
            if (fingerprints.contains(m.simhash)) {
                return true;
            }
            for (final long f : fingerprints) {
                if (SimHash.hammingDistance(f, m.simhash) <= hamming) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * What the warm-up keeps of a cluster it held: with no baseline yet, a text many accounts send
     * may be popular or a campaign, so it is judged later, by comparing its level while held with
     * the level its text keeps after.
     */
    public static final class Hold {
        /** The most distinct accounts the cluster had in one held window, and that window. */
        public int peakAccounts;
        public long peakWindowStart;
        public long peakWindowEnd;
        /** Greatest classifier version among the held windows. */
        public String classifierVersion;
        /** Start of the first window it was held in. */
        public long from;
        /** End of the last window it was held in: the windows starting from here show its level after. */
        public long until;
        /** Distinct accounts of its text per window (by start) from {@link #from} on, where it reached the merger. */
        public TreeMap<Long, Integer> accounts = new TreeMap<>();
        /** Start of the last window it was judged at, if any. */
        public long judgedThrough = Long.MIN_VALUE;
        /** Accounts and messages past the held caps, counted if the cluster turns out to be a campaign. */
        public long cappedAccounts;
        public long cappedMessages;
    }
}
