package dev.vigil.abuse;

import dev.vigil.stream.Stamped;

/** One human message's fingerprint seen in one LSH band bucket: pseudonymous account, no text. */
public final class Sighting extends Stamped {
    public long simhash;
    public String account;
    public long messageHash;
    public long eventTime;
    /** Version of the classifier that fingerprinted the message (alerts say which one judged). */
    public String classifierVersion;

    public Sighting() {
    }

    public Sighting(final long simhash, final String account, final long messageHash, final long eventTime) {
        this.simhash = simhash;
        this.account = account;
        this.messageHash = messageHash;
        this.eventTime = eventTime;
    }
}
