package dev.vigil.abuse;

import java.util.TreeSet;

/** A coordinated-abuse cluster that has been alerted, kept while it stays active. */
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

    /** Accounts and messages the last absorb could not keep past the caps; counted and reset by the stage. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    transient long cappedAccounts;
    @com.fasterxml.jackson.annotation.JsonIgnore
    transient long cappedMessages;

    /** Adds a cluster's members; true if anything new was learnt. */
    boolean absorb(final Iterable<Member> members) {
        final int accountsBefore = accounts.size();
        final int messagesBefore = messages.size();
        for (final Member m : members) {
            if (fingerprints.size() < FINGERPRINT_CAP) {
                fingerprints.add(m.simhash);
            }
            if (accounts.size() < ACCOUNT_CAP) {
                accounts.add(m.account);
            } else if (!accounts.contains(m.account)) {
                cappedAccounts++;
            }
            for (final long msg : m.messages) {
                if (messages.size() < MESSAGE_CAP) {
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
}
