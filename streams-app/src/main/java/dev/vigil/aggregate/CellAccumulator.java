package dev.vigil.aggregate;

import java.util.TreeMap;

/**
 * Running counts of one aggregate cell in one window: the state behind a {@code WindowAggregate}
 * before k-anonymity is applied. Also what the window alert rules judge.
 *
 * <p>Every field is independent of the order contributions arrive in (they come from several
 * upstream partitions, interleaved differently on each run): scores are summed in fixed point,
 * because floating-point sums in another order differ in the last bits.
 */
public final class CellAccumulator {
    public DistinctCounter accounts = new DistinctCounter();
    public DistinctCounter conversations = new DistinctCounter();
    public long messages;
    public long humanMessages;
    public long assistantMessages;
    public long pushbackCount;
    public TreeMap<String, Long> pushbackByReason = new TreeMap<>();
    /** Sum of sentiment scores in millionths. */
    public long sentimentMicros;
    public long sentimentCount;
    public long endedConversations;
    /** Sum of sentiment shifts in millionths. */
    public long shiftMicros;
    public long shiftCount;
    public TreeMap<String, Long> crisisByLevel = new TreeMap<>();
    public long referrals;
    public long missedReferrals;
    public long partialReferrals;
    public String classifierVersion = "";
    /**
     * Set on a published copy when the window's pushback figures must not be published (see
     * {@link DisclosureControl}); a larger window that sums such a cell withholds them too.
     */
    public boolean pushbackWithheld;

    /** Folds one contribution in; {@code accountCap} is the exact-count cap of {@link DistinctCounter}. */
    public CellAccumulator add(final Contribution c, final int accountCap) {
        return add(c, accountCap, true);
    }

    /**
     * Folds one contribution in, with its account and conversation in the distinct counts only if
     * {@code distinct}: windows that are judged by the rate alerts but never published need no
     * distinct counts (no alert rule reads them), and without them a cell is a few numbers instead
     * of up to two sets of a thousand ids, written whole at every commit.
     */
    public CellAccumulator add(final Contribution c, final int accountCap, final boolean distinct) {
        if (distinct) {
            accounts.add(c.accountHash, accountCap);
        }
        takeNewerVersion(c.classifierVersion);
        switch (c.kind) {
            case MESSAGE -> addMessage(c, accountCap, distinct);
            case REFERRAL_OUTCOME -> {
                switch (c.outcome) {
                    case "referred" -> referrals++;
                    case "partial" -> partialReferrals++;
                    case "missed" -> missedReferrals++;
                    default -> { }
                }
            }
            case ENDED -> {
                endedConversations++;
                if (c.sentimentShift != null) {
                    shiftMicros += micros(c.sentimentShift);
                    shiftCount++;
                }
            }
            default -> { }
        }
        return this;
    }

    /**
     * Adds every count of {@code other} (another window or another cell of the same window):
     * what one accumulator fed both sets of contributions would hold, in any order.
     */
    public CellAccumulator merge(final CellAccumulator other, final int accountCap) {
        accounts.merge(other.accounts, accountCap);
        conversations.merge(other.conversations, accountCap);
        messages += other.messages;
        humanMessages += other.humanMessages;
        assistantMessages += other.assistantMessages;
        pushbackCount += other.pushbackCount;
        other.pushbackByReason.forEach((r, n) -> pushbackByReason.merge(r, n, Long::sum));
        sentimentMicros += other.sentimentMicros;
        sentimentCount += other.sentimentCount;
        endedConversations += other.endedConversations;
        shiftMicros += other.shiftMicros;
        shiftCount += other.shiftCount;
        other.crisisByLevel.forEach((l, n) -> crisisByLevel.merge(l, n, Long::sum));
        referrals += other.referrals;
        missedReferrals += other.missedReferrals;
        partialReferrals += other.partialReferrals;
        takeNewerVersion(other.classifierVersion);
        pushbackWithheld |= other.pushbackWithheld;
        return this;
    }

    /** During a classifier roll-out a window mixes versions; it names the newest (highest) one. */
    private void takeNewerVersion(final String version) {
        if (version != null && version.compareTo(classifierVersion) > 0) {
            classifierVersion = version;
        }
    }

    private void addMessage(final Contribution c, final int accountCap, final boolean distinct) {
        if (distinct) {
            conversations.add(c.conversationHash, accountCap);
        }
        messages++;
        if (c.human) {
            humanMessages++;
            if (c.sentimentScore != null) {
                sentimentMicros += micros(c.sentimentScore);
                sentimentCount++;
            }
            if (c.crisisLevel != null && !"none".equals(c.crisisLevel)) {
                crisisByLevel.merge(c.crisisLevel, 1L, Long::sum);
            }
        } else {
            assistantMessages++;
            if (c.pushback) {
                pushbackCount++;
                // Named as the pushback_reason cell is, so the two always agree.
                pushbackByReason.merge(Contribution.orUnknown(c.pushbackReason), 1L, Long::sum);
            }
        }
    }

    /** Roughly how much memory this takes, in distinct ids held (what the object cache bounds). */
    public long weight() {
        return 1 + accounts.exact.size() + conversations.exact.size()
                + (accounts.registers == null ? 0 : 100) + (conversations.registers == null ? 0 : 100);
    }

    public long crisisDisclosures() {
        long n = 0;
        for (final long v : crisisByLevel.values()) {
            n += v;
        }
        return n;
    }

    /** Disclosures whose referral was judged (referred, partial or missed). */
    public long resolvedDisclosures() {
        return referrals + partialReferrals + missedReferrals;
    }

    public Double pushbackRate() {
        return assistantMessages == 0 ? null : (double) pushbackCount / assistantMessages;
    }

    public Double sentimentMean() {
        return sentimentCount == 0 ? null : sentimentMicros / 1e6 / sentimentCount;
    }

    public Double shiftMean() {
        return shiftCount == 0 ? null : shiftMicros / 1e6 / shiftCount;
    }

    private static long micros(final double v) {
        return Math.round(v * 1e6);
    }
}
