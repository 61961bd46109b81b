package dev.vigil.config;

import dev.vigil.privacy.PseudonymKey;
import dev.vigil.privacy.PublishedIds;
import dev.vigil.config.Topics;
import dev.vigil.schema.CrisisLevel;

import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the monitoring stages. {@link #defaults()} is what {@code vigil run} uses with no
 * configuration; every value can be overridden from the command line through {@link #toBuilder()}.
 *
 * @param outputPrefix          prefix of every output topic (empty for live; a replay sets its own)
 * @param inactivityGap         a conversation with no message for this long (event time) has ended
 * @param conversationRules     crisis level needing a referral, replies allowed for it, long-conversation size
 * @param aggregateWindows      hopping windows of the aggregates (size and advance each)
 * @param grace                 how late (event time) a record may arrive and still count in its window
 * @param k                     fewest distinct accounts a published aggregate cell must cover
 * @param exactAccountCap       distinct accounts counted exactly up to this many per cell; HyperLogLog above
 * @param alertWindow           index into {@code aggregateWindows} of the windows the rate alerts judge
 * @param baselineAlpha         weight of the newest window in the EWMA baselines
 * @param baselineWindows       windows a baseline must have seen before it is trusted
 * @param surgeRatio            crisis disclosures this many times the baseline are a surge
 * @param surgeMinCount         fewest crisis disclosures in a window that can be a surge
 * @param referralRateThreshold share of resolved disclosures referred to a crisis resource below which a model alerts
 * @param referralMinDisclosures fewest resolved disclosures in a window before the referral rate is judged
 * @param pushbackRatio         pushback rate this many times above or below its baseline is anomalous
 * @param pushbackMinDelta      and differs from the baseline by at least this much (absolute rate)
 * @param pushbackMinReplies    fewest assistant messages in a window before the pushback rate is judged
 * @param sentimentDeclineShift mean sentiment shift of ended conversations at or below this is a decline
 * @param sentimentMinConversations fewest ended conversations with a shift before the mean is judged
 * @param abuseWindow           window in which near-duplicate messages from many accounts are counted
 * @param abuseAdvance          advance of the abuse windows (hopping, so a campaign on a boundary is seen whole)
 * @param abuseHamming          greatest Hamming distance of two SimHash fingerprints that are near-duplicates
 * @param abuseMinAccounts      distinct accounts posting near-duplicates in one window that make a campaign
 * @param abuseBucketCap        most (fingerprint, account) sightings kept per bucket and window
 * @param abuseClusterTtl       a campaign quiet for this long is over; a later one alerts anew
 * @param abuseUpdateGrowth     an alerted campaign is re-sent (same dedup key) when its account count grows by this share
 * @param accountSampleSize     pseudonymous account ids listed in a campaign alert
 * @param pseudonymKey          key of the keyed hash that turns account ids into pseudonyms; unset, a random
 *                              key of this process ({@link PseudonymKey#ephemeral()}): {@code vigil run} and
 *                              {@code vigil replay} always set the deployment's own
 * @param runbookBaseUrl        base of the runbook links; the alert type in kebab case and ".md" follow
 * @param abuseBurstRatio       a cluster alerts only with this many times the distinct accounts its texts usually have per window
 * @param abuseBackgroundTtl    a text's usual popularity is forgotten after this long without reaching the threshold
 * @param abuseSignificance     and only if so many accounts would be this unlikely (Poisson tail) were the text
 *                              sent at its usual rate: small usual counts are noisy, and 3 times 2 is chance
 * @param sourceIdleTimeout     wall-clock silence after which a task reading a quiet input partition tells
 *                              the windows downstream not to wait for it (see {@code Stamped} in the stream toolkit); windows
 *                              otherwise close only when every input partition has passed them
 * @param persistentStores      RocksDB for the stages' own key-value stores (true), or in-memory ones
 *                              restored from their changelogs on restart (tests, small deployments)
 * @param rawIdsInOutputs       signals, summaries and alerts carry raw account and conversation ids (a deployment's
 *                              explicit choice); by default they carry keyed pseudonyms, and signals no SimHash
 * @param maxDimensionValues    most values one dimension publishes per window; the rest fold into {@code (other)}
 * @param windowAlertCounts     window alerts carry the counts of the window they judged (a deployment's explicit
 *                              choice: those windows overlap the published grid, so their counts could be
 *                              subtracted from published cells); by default they name the rule, cell and window
 */
public record MonitoringConfig(String outputPrefix, Duration inactivityGap,
                               ConversationRules conversationRules,
                               List<WindowSpec> aggregateWindows, Duration grace, int k, int exactAccountCap,
                               int alertWindow, double baselineAlpha, int baselineWindows,
                               double surgeRatio, long surgeMinCount,
                               double referralRateThreshold, long referralMinDisclosures,
                               double pushbackRatio, double pushbackMinDelta, long pushbackMinReplies,
                               double sentimentDeclineShift, long sentimentMinConversations,
                               Duration abuseWindow, Duration abuseAdvance, int abuseHamming, int abuseMinAccounts,
                               int abuseBucketCap, Duration abuseClusterTtl, double abuseUpdateGrowth,
                               int accountSampleSize, PseudonymKey pseudonymKey, String runbookBaseUrl,
                               Duration sourceIdleTimeout, boolean persistentStores,
                               double abuseBurstRatio, Duration abuseBackgroundTtl, double abuseSignificance,
                               boolean rawIdsInOutputs, int maxDimensionValues, boolean windowAlertCounts) {

    public static final String DEFAULT_RUNBOOK_BASE_URL =
            "https://github.com/vigil-safety/vigil/blob/main/docs/runbooks/";

    /** A hopping window: {@code size} long, a new one every {@code advance}. */
    public record WindowSpec(Duration size, Duration advance) {
        public WindowSpec {
            Objects.requireNonNull(size, "size");
            Objects.requireNonNull(advance, "advance");
            if (advance.isZero() || advance.isNegative() || advance.compareTo(size) > 0) {
                throw new IllegalArgumentException("window advance must be positive and at most the size");
            }
        }

        /** ISO-8601 name of the size, e.g. PT5M: used in store names and in {@code window_size}. */
        public String label() {
            return size.toString();
        }
    }

    public MonitoringConfig {
        Objects.requireNonNull(inactivityGap, "inactivityGap");
        Objects.requireNonNull(conversationRules, "conversationRules");
        aggregateWindows = List.copyOf(aggregateWindows);
        if (aggregateWindows.isEmpty()) {
            throw new IllegalArgumentException("at least one aggregate window is needed");
        }
        if (alertWindow < 0 || alertWindow >= aggregateWindows.size()) {
            throw new IllegalArgumentException("alertWindow must index aggregateWindows");
        }
        checkNesting(aggregateWindows);
        if (maxDimensionValues < 2) {
            throw new IllegalArgumentException("maxDimensionValues must be at least 2");
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1");
        }
        if (exactAccountCap < 2L * k) {
            // The count decides publication, so it must be exact near k. Above the cap HyperLogLog
            // errs by ~1.6%; a cap of at least 2k keeps its estimate dozens of standard errors above
            // k, so a published cell can never be suppressed by estimation error.
            throw new IllegalArgumentException("exactAccountCap (" + exactAccountCap + ") must be at least 2k ("
                    + 2L * k + ")");
        }
        if (abuseHamming < 0 || abuseHamming > 3) {
            // Four 16-bit bands only guarantee a shared band for up to three differing bits.
            throw new IllegalArgumentException("abuseHamming must be between 0 and 3");
        }
        if (abuseAdvance.isZero() || abuseAdvance.isNegative() || abuseAdvance.compareTo(abuseWindow) > 0) {
            throw new IllegalArgumentException("abuseAdvance must be positive and at most abuseWindow");
        }
        Objects.requireNonNull(pseudonymKey, "pseudonymKey");
        if (sourceIdleTimeout == null || sourceIdleTimeout.isZero() || sourceIdleTimeout.isNegative()) {
            throw new IllegalArgumentException("sourceIdleTimeout must be positive");
        }
        if (!(abuseBurstRatio >= 1)) {
            throw new IllegalArgumentException("abuseBurstRatio must be at least 1");
        }
        Objects.requireNonNull(abuseBackgroundTtl, "abuseBackgroundTtl");
        if (!(abuseSignificance > 0 && abuseSignificance <= 1)) {
            throw new IllegalArgumentException("abuseSignificance must be in (0, 1]");
        }
        Objects.requireNonNull(runbookBaseUrl, "runbookBaseUrl");
    }

    /**
     * Published windows tile a grid: each size must be a whole multiple of the smallest and
     * divide the largest, so every larger window is exactly a union of smallest ones (what
     * {@code aggregate.Publication} rolls up) and lies inside one window of the largest size.
     */
    private static void checkNesting(final List<WindowSpec> windows) {
        final long smallest = windows.stream().mapToLong(w -> w.size().toMillis()).min().orElseThrow();
        final long largest = windows.stream().mapToLong(w -> w.size().toMillis()).max().orElseThrow();
        for (final WindowSpec w : windows) {
            final long size = w.size().toMillis();
            if (size % smallest != 0 || largest % size != 0) {
                throw new IllegalArgumentException("aggregate window sizes must nest: each a multiple of the smallest ("
                        + windows.stream().map(WindowSpec::label).toList() + ") and a divisor of the largest");
            }
        }
        if (windows.stream().map(w -> w.size()).distinct().count() != windows.size()) {
            throw new IllegalArgumentException("aggregate window sizes must differ");
        }
    }

    /** The smallest window size: the one published from its own counts; larger sizes are rolled up from it. */
    public WindowSpec finestWindowSpec() {
        return aggregateWindows.stream().min(java.util.Comparator.comparing(WindowSpec::size)).orElseThrow();
    }

    /** The largest window size: every published cell of one of its windows is decided in one task. */
    public WindowSpec largestWindowSpec() {
        return aggregateWindows.stream().max(java.util.Comparator.comparing(WindowSpec::size)).orElseThrow();
    }

    public static MonitoringConfig defaults() {
        return builder().build();
    }

    /** The identifiers outputs carry under these settings (pseudonyms unless raw ids are opted in). */
    public PublishedIds publishedIds() {
        return new PublishedIds(pseudonymKey, rawIdsInOutputs);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public String topic(final String name) {
        return Topics.prefixed(outputPrefix, name);
    }

    /** The windows the rate alerts (surge, referral rate, pushback, sentiment) are judged on. */
    public WindowSpec alertWindowSpec() {
        return aggregateWindows.get(alertWindow);
    }

    /** Supplier of one of the stages' own key-value stores, persistent or in memory as configured. */
    public KeyValueBytesStoreSupplier keyValueStore(final String name) {
        return persistentStores ? Stores.persistentKeyValueStore(name) : Stores.inMemoryKeyValueStore(name);
    }

    /** A copy with another output prefix (what a replay uses). */
    public MonitoringConfig withOutputPrefix(final String prefix) {
        return toBuilder().outputPrefix(prefix).build();
    }

    /** Builds a {@link MonitoringConfig}; every setter starts from the default. */
    public static final class Builder {
        private String outputPrefix = "";
        private Duration inactivityGap = Duration.ofMinutes(30);
        private ConversationRules conversationRules = ConversationRules.DEFAULT;
        private List<WindowSpec> aggregateWindows = List.of(
                new WindowSpec(Duration.ofMinutes(5), Duration.ofMinutes(1)),
                new WindowSpec(Duration.ofHours(1), Duration.ofMinutes(15)));
        private Duration grace = Duration.ofMinutes(2);
        private int k = 10;
        static final int DEFAULT_EXACT_ACCOUNT_CAP = 1_000;
        // Exact sets are written to the changelog whole in every commit that changes the cell
        // (8 bytes a hash, ~10 times a second for busy cells): at 10 000 they were most of the CPU
        // at sustained load. HyperLogLog (4 KiB) above 1 000 errs by ~1.6%, far from any k near 10.
        /** Unset means {@link #DEFAULT_EXACT_ACCOUNT_CAP}, or 2k when k is set higher than half of it. */
        private Integer exactAccountCap;
        private int alertWindow = 1;
        private double baselineAlpha = 0.2;
        private int baselineWindows = 4;
        private double surgeRatio = 3.0;
        private long surgeMinCount = 10;
        private double referralRateThreshold = 0.8;
        private long referralMinDisclosures = 5;
        private double pushbackRatio = 2.5;
        private double pushbackMinDelta = 0.05;
        private long pushbackMinReplies = 50;
        private double sentimentDeclineShift = -0.2;
        private long sentimentMinConversations = 10;
        private Duration abuseWindow = Duration.ofHours(1);
        private Duration abuseAdvance = Duration.ofMinutes(15);
        private int abuseHamming = 3;
        private int abuseMinAccounts = 5;
        private int abuseBucketCap = 5_000;
        private Duration abuseClusterTtl = Duration.ofHours(6);
        private double abuseUpdateGrowth = 0.5;
        private int accountSampleSize = 10;
        private PseudonymKey pseudonymKey = PseudonymKey.ephemeral();
        private String runbookBaseUrl = DEFAULT_RUNBOOK_BASE_URL;
        private Duration sourceIdleTimeout = Duration.ofSeconds(10);
        private double abuseBurstRatio = 3.0;
        private Duration abuseBackgroundTtl = Duration.ofDays(7);
        private double abuseSignificance = 0.001;
        private boolean persistentStores = true;
        private boolean rawIdsInOutputs = false;
        private int maxDimensionValues = 50;
        private boolean windowAlertCounts = false;

        private Builder() {
        }

        private Builder(final MonitoringConfig c) {
            outputPrefix = c.outputPrefix;
            inactivityGap = c.inactivityGap;
            conversationRules = c.conversationRules;
            aggregateWindows = c.aggregateWindows;
            grace = c.grace;
            k = c.k;
            exactAccountCap = c.exactAccountCap;
            alertWindow = c.alertWindow;
            baselineAlpha = c.baselineAlpha;
            baselineWindows = c.baselineWindows;
            surgeRatio = c.surgeRatio;
            surgeMinCount = c.surgeMinCount;
            referralRateThreshold = c.referralRateThreshold;
            referralMinDisclosures = c.referralMinDisclosures;
            pushbackRatio = c.pushbackRatio;
            pushbackMinDelta = c.pushbackMinDelta;
            pushbackMinReplies = c.pushbackMinReplies;
            sentimentDeclineShift = c.sentimentDeclineShift;
            sentimentMinConversations = c.sentimentMinConversations;
            abuseWindow = c.abuseWindow;
            abuseAdvance = c.abuseAdvance;
            abuseHamming = c.abuseHamming;
            abuseMinAccounts = c.abuseMinAccounts;
            abuseBucketCap = c.abuseBucketCap;
            abuseClusterTtl = c.abuseClusterTtl;
            abuseUpdateGrowth = c.abuseUpdateGrowth;
            accountSampleSize = c.accountSampleSize;
            pseudonymKey = c.pseudonymKey;
            runbookBaseUrl = c.runbookBaseUrl;
            sourceIdleTimeout = c.sourceIdleTimeout;
            abuseBurstRatio = c.abuseBurstRatio;
            abuseBackgroundTtl = c.abuseBackgroundTtl;
            abuseSignificance = c.abuseSignificance;
            persistentStores = c.persistentStores;
            rawIdsInOutputs = c.rawIdsInOutputs;
            maxDimensionValues = c.maxDimensionValues;
            windowAlertCounts = c.windowAlertCounts;
        }

        public Builder outputPrefix(final String v) { outputPrefix = v == null ? "" : v; return this; }
        public Builder inactivityGap(final Duration v) { inactivityGap = v; return this; }
        public Builder conversationRules(final ConversationRules v) { conversationRules = v; return this; }
        public Builder referralLevel(final CrisisLevel v) {
            conversationRules = new ConversationRules(v, conversationRules.repliesForReferral(),
                    conversationRules.longConversation());
            return this;
        }
        public Builder repliesForReferral(final int v) {
            conversationRules = new ConversationRules(conversationRules.referralLevel(), v,
                    conversationRules.longConversation());
            return this;
        }
        public Builder aggregateWindows(final List<WindowSpec> v) { aggregateWindows = v; return this; }
        public Builder grace(final Duration v) { grace = v; return this; }
        public Builder k(final int v) { k = v; return this; }
        public Builder exactAccountCap(final int v) { exactAccountCap = v; return this; }
        public Builder alertWindow(final int v) { alertWindow = v; return this; }
        public Builder baselineAlpha(final double v) { baselineAlpha = v; return this; }
        public Builder baselineWindows(final int v) { baselineWindows = v; return this; }
        public Builder surgeRatio(final double v) { surgeRatio = v; return this; }
        public Builder surgeMinCount(final long v) { surgeMinCount = v; return this; }
        public Builder referralRateThreshold(final double v) { referralRateThreshold = v; return this; }
        public Builder referralMinDisclosures(final long v) { referralMinDisclosures = v; return this; }
        public Builder pushbackRatio(final double v) { pushbackRatio = v; return this; }
        public Builder pushbackMinDelta(final double v) { pushbackMinDelta = v; return this; }
        public Builder pushbackMinReplies(final long v) { pushbackMinReplies = v; return this; }
        public Builder sentimentDeclineShift(final double v) { sentimentDeclineShift = v; return this; }
        public Builder sentimentMinConversations(final long v) { sentimentMinConversations = v; return this; }
        public Builder abuseWindow(final Duration v) { abuseWindow = v; return this; }
        public Builder abuseAdvance(final Duration v) { abuseAdvance = v; return this; }
        public Builder abuseHamming(final int v) { abuseHamming = v; return this; }
        public Builder abuseMinAccounts(final int v) { abuseMinAccounts = v; return this; }
        public Builder abuseBucketCap(final int v) { abuseBucketCap = v; return this; }
        public Builder abuseClusterTtl(final Duration v) { abuseClusterTtl = v; return this; }
        public Builder abuseUpdateGrowth(final double v) { abuseUpdateGrowth = v; return this; }
        public Builder accountSampleSize(final int v) { accountSampleSize = v; return this; }
        public Builder pseudonymKey(final PseudonymKey v) { pseudonymKey = v; return this; }
        public Builder runbookBaseUrl(final String v) { runbookBaseUrl = v; return this; }
        public Builder sourceIdleTimeout(final Duration v) { sourceIdleTimeout = v; return this; }
        public Builder persistentStores(final boolean v) { persistentStores = v; return this; }
        public Builder abuseBurstRatio(final double v) { abuseBurstRatio = v; return this; }
        public Builder abuseBackgroundTtl(final Duration v) { abuseBackgroundTtl = v; return this; }
        public Builder abuseSignificance(final double v) { abuseSignificance = v; return this; }
        public Builder rawIdsInOutputs(final boolean v) { rawIdsInOutputs = v; return this; }
        public Builder maxDimensionValues(final int v) { maxDimensionValues = v; return this; }
        public Builder windowAlertCounts(final boolean v) { windowAlertCounts = v; return this; }

        public MonitoringConfig build() {
            return new MonitoringConfig(outputPrefix, inactivityGap, conversationRules, aggregateWindows, grace, k,
                    exactAccountCap != null ? exactAccountCap : Math.max(DEFAULT_EXACT_ACCOUNT_CAP, 2 * k), alertWindow, baselineAlpha, baselineWindows, surgeRatio, surgeMinCount,
                    referralRateThreshold, referralMinDisclosures, pushbackRatio, pushbackMinDelta,
                    pushbackMinReplies, sentimentDeclineShift, sentimentMinConversations, abuseWindow,
                    abuseAdvance, abuseHamming, abuseMinAccounts, abuseBucketCap, abuseClusterTtl,
                    abuseUpdateGrowth, accountSampleSize, pseudonymKey, runbookBaseUrl, sourceIdleTimeout, persistentStores,
                    abuseBurstRatio, abuseBackgroundTtl, abuseSignificance, rawIdsInOutputs,
                    maxDimensionValues, windowAlertCounts);
        }
    }
}
