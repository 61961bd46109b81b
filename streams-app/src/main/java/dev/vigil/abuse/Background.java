package dev.vigil.abuse;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many distinct accounts one fingerprint's cluster usually has per window: an EWMA over the
 * earlier windows in which it was seen by several accounts. A prompt that many unrelated accounts
 * send every window (a common question, "thanks, make it shorter") has a high one; a campaign's
 * fresh text has none, so its burst stands out.
 *
 * <p>Only windows that ended before the judged window started count: hopping windows overlap, so
 * an overlapping earlier window holds the first part of the very burst being judged.
 */
public final class Background {
    /** Most recent windows held back until they no longer overlap the windows being judged. */
    static final int RECENT_CAP = 64;

    public double accounts;
    public int windows;
    public long lastWindowStart;
    /** Window start to distinct accounts, not yet folded into the EWMA. */
    public TreeMap<Long, Long> recent = new TreeMap<>();

    /** The usual accounts per window over windows that ended by {@code judgedStart}; 0 if none. */
    double usualBefore(final long judgedStart, final long windowSize, final double alpha) {
        final Iterator<Map.Entry<Long, Long>> it = recent.entrySet().iterator();
        while (it.hasNext()) {
            final Map.Entry<Long, Long> e = it.next();
            if (e.getKey() + windowSize > judgedStart && recent.size() <= RECENT_CAP) {
                break;
            }
            accounts = windows == 0 ? e.getValue() : alpha * e.getValue() + (1 - alpha) * accounts;
            windows++;
            it.remove();
        }
        return windows == 0 ? 0 : accounts;
    }

    /** Records one window's distinct-account count, to count once the window is history. */
    void observe(final long count, final long windowStart) {
        recent.merge(windowStart, count, Math::max);
        lastWindowStart = Math.max(lastWindowStart, windowStart);
    }
}
