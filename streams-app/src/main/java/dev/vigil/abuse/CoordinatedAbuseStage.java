package dev.vigil.abuse;

import dev.vigil.privacy.Pseudonyms;
import dev.vigil.alert.Alerts;
import dev.vigil.metrics.SafetyMetrics;
import dev.vigil.schema.AlertType;
import dev.vigil.schema.MessageSignals;
import dev.vigil.schema.Role;
import dev.vigil.schema.SafetyAlert;
import dev.vigil.schema.Severity;
import dev.vigil.stream.JsonSerde;
import dev.vigil.stream.Metered;
import dev.vigil.config.MonitoringConfig;
import dev.vigil.stream.ProgressPartitioner;
import dev.vigil.stream.ProgressStamper;
import dev.vigil.stream.ProgressWindowProcessor;
import dev.vigil.stream.SortableKeys;
import dev.vigil.stream.SlicedWindowProcessor;
import dev.vigil.stream.SourceProgress;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Coordinated-abuse detection: near-duplicate human messages from many distinct accounts in one
 * window.
 *
 * <ol>
 *   <li>Each fingerprint (64-bit SimHash) is split into four 16-bit bands and the message is
 *       re-keyed to one bucket per band (named repartition {@value #BUCKET_REPARTITION}). Two
 *       fingerprints at most three bits apart agree on at least one band (pigeonhole), so every
 *       near-duplicate pair meets in some bucket.</li>
 *   <li>Per bucket and hopping window, the sightings are kept (pseudonymous accounts, no text)
 *       and, once every input partition has passed the window's end plus grace, grouped into clusters whose fingerprints are verified to be
 *       within the Hamming distance. Clusters with at least the threshold of distinct accounts
 *       are candidates.</li>
 *   <li>All candidates go to one campaign merger (one partition: candidates are rare), which
 *       waits until every bucket task has reported a window (their event-time progress, see
 *       {@link dev.vigil.stream.Stamped}, follows their candidates), unions the candidates of the
 *       window (the same campaign reaches it from several bands), matches the result against
 *       campaigns already alerted, and alerts once per new campaign. An alerted campaign that
 *       keeps growing is re-sent under the same dedup key, so an incident tool updates it.</li>
 * </ol>
 */
public final class CoordinatedAbuseStage {
    public static final String BUCKET_REPARTITION = "near-duplicate-buckets";
    /**
     * The members each bucket saw, per slice of the window grid. Renamed from
     * {@code near-duplicate-bucket-sightings} (whole windows) when its format changed: a new
     * store starts empty rather than misread the old one.
     */
    public static final String BUCKET_STORE = "near-duplicate-bucket-slices";
    public static final String CANDIDATE_REPARTITION = "coordinated-abuse-candidates";
    public static final String PENDING_STORE = "coordinated-abuse-pending-windows";
    /**
     * The members of the pending windows, one entry per window and member: a window of a popular
     * text gathers thousands of members, and as one value it passed Kafka's 1 MiB record limit on
     * its changelog (RecordTooLargeException, the task failed on every retry and all processing
     * stopped; found by the soak at 218 events/s).
     */
    public static final String PENDING_MEMBERS_STORE = "coordinated-abuse-pending-members";
    /** Members per candidate record to the merger, so no record nears Kafka's size limit. */
    static final int CANDIDATE_CHUNK = 500;
    public static final String CAMPAIGN_STORE = "coordinated-abuse-campaigns";
    public static final String BACKGROUND_STORE = "coordinated-abuse-background";
    public static final String BUCKET_PROGRESS_STORE = "near-duplicate-bucket-progress";
    public static final String MERGER_PROGRESS_STORE = "coordinated-abuse-progress";
    /**
     * When the merger's warm-up ends: the start of the first window it judges against the
     * background (event time), decided at the first window it closes and kept, so a restart with
     * its state needs no warm-up.
     */
    public static final String WARM_UP_STORE = "coordinated-abuse-warm-up";
    /** The clusters held during the warm-up, waiting to be judged against their texts' later level. */
    public static final String HELD_STORE = "coordinated-abuse-held";
    static final String WARM_FROM_KEY = "warm-from";
    /** A task whose state already held a background or campaigns when warm-ups were introduced. */
    static final long WARM_ALREADY = Long.MIN_VALUE;
    /**
     * Window lengths of traffic, from the first window with candidates, in which no cluster is
     * alerted. One would give the first judged window a full window before it to learn from; a
     * second lets texts sent by a few accounts a window show up at all (measured on the demo's
     * traffic: with one, texts never seen before paged in the two windows after it).
     */
    static final int WARM_UP_WINDOWS = 2;
    /**
     * Times a held cluster is judged, one window advance apart, before it is taken for
     * background: a campaign still under way just after the warm-up may end in that time; a
     * popular text's ordinary ups and downs are not tested window after window.
     */
    static final int HELD_JUDGEMENTS = 4;
    /**
     * Accounts added to the level a held text keeps after its held windows, before the burst
     * tests: that level is learnt from as little as one window, where a chance lull of an
     * ordinary text reads like the end of a campaign. Measured on eight seeds of the demo's
     * traffic: without it, four paged ordinary texts (five alerts) when their held clusters were
     * judged; with it none did, and the planted campaign was found as early in all eight.
     */
    static final int HELD_AFTER_SLACK = 1;
    /** Accounts and messages kept per held cluster (most are popular texts): its stored value stays small. */
    static final int HELD_CAP = 2_000;
    static final String MERGER_KEY = "campaigns";
    static final int BANDS = 4;
    /**
     * Members (account and fingerprint, with up to 100 message hashes) that one task's bucket
     * slices may hold as live objects, a few hundred bytes each: 200 MB at most, usually far
     * less (most members hold one message). The least recently used go back to the store.
     */
    static final long BUCKET_CACHE_WEIGHT = 500_000;

    private CoordinatedAbuseStage() {
    }

    public static KStream<String, SafetyAlert> build(final StreamsBuilder builder,
                                                     final KStream<String, MessageSignals> signals,
                                                     final MonitoringConfig config, final SafetyMetrics metrics) {
        final TimeWindows windows = TimeWindows.ofSizeAndGrace(config.abuseWindow(), config.grace())
                .advanceBy(config.abuseAdvance());
        final KStream<String, CampaignInput> candidates = signals
                .process(() -> new BandBuckets(new Pseudonyms(config.pseudonymKey()), config.sourceIdleTimeout()),
                        Named.as("fingerprint-band-buckets"))
                .repartition(Repartitioned.<String, Sighting>as(BUCKET_REPARTITION)
                        .withKeySerde(Serdes.String()).withValueSerde(new SightingCodec())
                        .withStreamPartitioner(new ProgressPartitioner<>()))
                .process(new ProcessorSupplier<String, Sighting, String, CampaignInput>() {
                    @Override
                    public Processor<String, Sighting, String, CampaignInput> get() {
                        return new BucketWindows(windows, config, metrics);
                    }

                    @Override
                    public Set<StoreBuilder<?>> stores() {
                        return Set.of(ProgressWindowProcessor.windowStore(config, BUCKET_STORE,
                                new MemberCodec(), m -> 1, BUCKET_CACHE_WEIGHT),
                                SourceProgress.store(config, BUCKET_PROGRESS_STORE));
                    }
                }, Named.as("near-duplicate-bucket-window"));

        return candidates
                .repartition(Repartitioned.<String, CampaignInput>as(CANDIDATE_REPARTITION)
                        .withKeySerde(Serdes.String()).withValueSerde(new JsonSerde<>(CampaignInput.class))
                        .withNumberOfPartitions(1))
                .process(() -> new Merger(config, metrics), Named.as("coordinated-abuse-campaign-merger"),
                        addStores(builder, config));
    }

    /**
     * Sends each fingerprinted human message to its four band buckets (pseudonymous account, no
     * text), stamped with this task's event-time progress; every other message only moves the
     * progress on.
     */
    static final class BandBuckets extends ProgressStamper<String, MessageSignals, Sighting> {
        private final Pseudonyms pseudonyms;

        BandBuckets(final Pseudonyms pseudonyms, final Duration idleAfter) {
            super(Sighting::new, idleAfter);
            this.pseudonyms = pseudonyms;
        }

        @Override
        protected void emit(final Record<String, MessageSignals> record, final Emitter<Sighting> out) {
            final MessageSignals s = record.value();
            if (s == null || s.getRole() != Role.HUMAN || s.getSimhash() == null || s.getSimhash() == SimHash.NONE) {
                return;
            }
            final long time = s.getEventTime().toEpochMilli();
            // Two HMACs per message, not per bucket.
            final String account = pseudonyms.pseudonym(s.getAccountId());
            final long message = pseudonyms.hash64("event:" + s.getEventId());
            for (final String bucket : buckets(s.getSimhash())) {
                // One object per bucket: each is stamped and serialised on its own.
                final Sighting sighting = new Sighting(s.getSimhash(), account, message, time);
                sighting.classifierVersion = s.getClassifierVersion();
                out.send(bucket, sighting, record.timestamp());
            }
        }
    }

    /**
     * Per bucket and hopping window, the sightings (capped); once every input partition has passed
     * a window, its clusters of verified near-duplicates with enough accounts go to the merger,
     * followed by this task's progress. A sighting is kept once, as its member's entry in the
     * bucket's slice of the window grid ({@link SlicedWindowProcessor}), not in each of the four
     * windows holding it: written whole per window, a popular bucket's members went to the
     * changelog at every commit, about 9 KB per message and a quarter of the CPU in JSON.
     */
    static final class BucketWindows extends SlicedWindowProcessor<Sighting, Member, BucketWindow, String, CampaignInput> {
        private final MonitoringConfig config;
        private final SafetyMetrics metrics;

        BucketWindows(final TimeWindows windows, final MonitoringConfig config, final SafetyMetrics metrics) {
            super(windows, BUCKET_STORE, BUCKET_PROGRESS_STORE);
            this.config = config;
            this.metrics = metrics;
            // A window keeps at most the cap, so a slice need not keep more.
            entryCap(config.abuseBucketCap());
        }

        @Override
        protected void late(final Sighting s) {
            Metered.safely(() -> metrics.lateRecord("coordinated_abuse"));
        }

        @Override
        protected void overflowed(final Sighting s) {
            // A full bucket is where a flood of distinct texts could hide a campaign: counted.
            Metered.safely(() -> metrics.abuseDropped("bucket_overflow"));
        }

        @Override
        protected String entryKey(final Sighting s) {
            return Member.key(s.simhash, s.account);
        }

        @Override
        protected Member entry(final Sighting s) {
            return Member.of(s);
        }

        @Override
        protected Member merge(final Member entry, final Sighting s) {
            entry.merge(Member.of(s));
            entry.classifierVersion = Member.newerVersion(entry.classifierVersion, s.classifierVersion);
            return entry;
        }

        @Override
        protected BucketWindow initial() {
            return new BucketWindow();
        }

        @Override
        protected BucketWindow combine(final BucketWindow bucket, final String member, final Member entry) {
            return bucket.add(member, entry, config.abuseBucketCap());
        }

        @Override
        protected void closed(final Windowed<String> w, final BucketWindow bucket) {
            if (bucket.overflow > 0) {
                // A full bucket is where a flood of distinct texts could hide a campaign: counted.
                Metered.safely(() -> metrics.abuseDropped("bucket_overflow", bucket.overflow));
            }
            for (final List<Member> cluster : NearDuplicates.clusters(bucket.members.values(), config.abuseHamming())) {
                if (NearDuplicates.accounts(cluster).size() >= observedAccounts(config)) {
                    // In chunks: the merger gathers a window's members by key, so a cluster may
                    // arrive in parts, and no record nears Kafka's size limit.
                    for (int from = 0; from < cluster.size(); from += CANDIDATE_CHUNK) {
                        final CampaignInput c = stamped(new CampaignInput(), reportedWatermark());
                        c.windowStart = w.window().start();
                        c.windowEnd = w.window().end();
                        c.members = new ArrayList<>(cluster.subList(from, Math.min(cluster.size(), from + CANDIDATE_CHUNK)));
                        c.classifierVersion = bucket.classifierVersion;
                        context().forward(new Record<>(MERGER_KEY, c, w.window().end()));
                    }
                }
            }
        }

        @Override
        protected void advanced(final long watermark, final int sources) {
            final CampaignInput p = stamped(new CampaignInput(), watermark);
            p.progressOnly = true;
            context().forward(new Record<>(MERGER_KEY, p, Math.max(0, watermark)));
        }
    }

    private static String[] addStores(final StreamsBuilder builder, final MonitoringConfig config) {
        builder.addStateStore(Stores.keyValueStoreBuilder(config.keyValueStore(PENDING_STORE),
                Serdes.String(), new JsonSerde<>(PendingWindow.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(config.keyValueStore(PENDING_MEMBERS_STORE),
                Serdes.String(), new JsonSerde<>(Member.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(config.keyValueStore(CAMPAIGN_STORE),
                Serdes.String(), new JsonSerde<>(Campaign.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(config.keyValueStore(BACKGROUND_STORE),
                Serdes.String(), new JsonSerde<>(Background.class)));
        builder.addStateStore(SourceProgress.store(config, MERGER_PROGRESS_STORE));
        builder.addStateStore(Stores.keyValueStoreBuilder(config.keyValueStore(WARM_UP_STORE),
                Serdes.String(), Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(config.keyValueStore(HELD_STORE),
                Serdes.String(), new JsonSerde<>(Campaign.class)));
        return new String[] {PENDING_STORE, PENDING_MEMBERS_STORE, CAMPAIGN_STORE, BACKGROUND_STORE, MERGER_PROGRESS_STORE,
            WARM_UP_STORE, HELD_STORE};
    }

    /**
     * Fewest distinct accounts of a cluster the merger hears about: smaller clusters cannot matter,
     * since a baseline below {@code minAccounts / burstRatio} never stops a cluster of
     * {@code minAccounts} from being a burst. Clusters between this and the threshold only teach
     * the background baseline.
     */
    static int observedAccounts(final MonitoringConfig config) {
        return Math.max(2, Math.min(config.abuseMinAccounts(),
                (int) Math.ceil(config.abuseMinAccounts() / config.abuseBurstRatio())));
    }

    /**
     * P(X &ge; n) for X ~ Poisson(mean): how likely a text usually sent by {@code mean} accounts a
     * window reaches {@code n} by chance. A fresh text (mean 0) never does.
     */
    static double poissonTail(final double mean, final int n) {
        if (n <= 0) {
            return 1;
        }
        if (mean <= 0) {
            return 0;
        }
        double term = Math.exp(-mean);
        double below = term;
        for (int k = 1; k < n; k++) {
            term *= mean / k;
            below += term;
        }
        return Math.max(0, 1 - below);
    }

    /** The four band buckets of a fingerprint, e.g. {@code b2-3fa0}. */
    public static List<String> buckets(final long simhash) {
        final List<String> out = new ArrayList<>(BANDS);
        for (int band = 0; band < BANDS; band++) {
            out.add("b" + band + "-" + SortableKeys.hex(bandBits(simhash, band), 4));
        }
        return out;
    }

    /** The 16 bits of {@code simhash} in band {@code band} (0 to 3). */
    static int bandBits(final long simhash, final int band) {
        return (int) ((simhash >>> (16 * band)) & 0xFFFF);
    }

    /** Candidates of one window waiting until every bucket has reported it. */
    public static final class PendingWindow {
        public long windowStart;
        public long windowEnd;
        public TreeMap<String, Member> members = new TreeMap<>();
        /** The greatest classifier version among the window's candidates (the same in steady state). */
        public String classifierVersion;
    }

    /** Merges candidates per window into campaigns and alerts once per campaign. */
    static final class Merger implements Processor<String, CampaignInput, String, SafetyAlert> {
        private final MonitoringConfig config;
        private final SafetyMetrics metrics;
        private final Alerts alerts;
        /** Every bucket task has reported a window once all of them have passed its end plus grace. */
        private final long settle;
        private final SourceProgress progress = new SourceProgress(MERGER_PROGRESS_STORE);
        private ProcessorContext<String, SafetyAlert> context;
        private KeyValueStore<String, PendingWindow> pending;
        private KeyValueStore<String, Campaign> campaignStore;
        /** The campaigns as live objects, indexed by fingerprint band; read from the store on first use after init. */
        private CampaignIndex campaigns;
        private KeyValueStore<String, Background> background;
        /** The background sweep last ran in this slot of {@link #backgroundSweepEvery} (per task start). */
        private long backgroundSweptSlot = Long.MIN_VALUE;
        private KeyValueStore<String, Member> pendingMembers;
        /** No pending window ends before this (in memory; 0 whenever the task starts): scans start here. */
        private long pendingFloor;
        private KeyValueStore<String, Long> warmUp;
        /** Windows starting before this are warm-up windows; read from {@link #warmUp} on first use after init. */
        private Long warmFrom;
        private KeyValueStore<String, Campaign> heldStore;
        /** The held clusters as live objects; read from the store on first use after init. */
        private CampaignIndex held;
        /** Held clusters were last judged at windows starting up to here (in memory; per task start). */
        private long heldCheckedThrough;

        Merger(final MonitoringConfig config, final SafetyMetrics metrics) {
            this.config = config;
            this.metrics = metrics;
            this.alerts = new Alerts(config.runbookBaseUrl());
            this.settle = config.grace().toMillis();
        }

        @Override
        public void init(final ProcessorContext<String, SafetyAlert> context) {
            this.context = context;
            this.pending = context.getStateStore(PENDING_STORE);
            this.pendingMembers = context.getStateStore(PENDING_MEMBERS_STORE);
            this.pendingFloor = 0;
            this.campaignStore = context.getStateStore(CAMPAIGN_STORE);
            // (Re)started, possibly on a restored or rolled-back store: read it afresh.
            this.campaigns = null;
            this.backgroundSweptSlot = Long.MIN_VALUE;
            this.background = context.getStateStore(BACKGROUND_STORE);
            this.warmUp = context.getStateStore(WARM_UP_STORE);
            this.warmFrom = null;
            this.heldStore = context.getStateStore(HELD_STORE);
            this.held = null;
            this.heldCheckedThrough = Long.MIN_VALUE;
            progress.init(context);
        }

        @Override
        public void process(final Record<String, CampaignInput> record) {
            final CampaignInput in = record.value();
            if (in == null) {
                return;
            }
            final boolean moved = progress.observe(in);
            if (!in.progressOnly) {
                final String key = windowKey(in.windowEnd, in.windowStart);
                PendingWindow w = pending.get(key);
                if (w == null) {
                    w = new PendingWindow();
                    w.windowStart = in.windowStart;
                    w.windowEnd = in.windowEnd;
                }
                w.classifierVersion = Member.newerVersion(w.classifierVersion, in.classifierVersion);
                for (final Member m : in.members) {
                    final String memberKey = key + "|" + m.key();
                    final Member existing = pendingMembers.get(memberKey);
                    if (existing == null) {
                        pendingMembers.put(memberKey, m);
                    } else {
                        existing.merge(m);
                        pendingMembers.put(memberKey, existing);
                    }
                }
                pending.put(key, w);
                pendingFloor = Math.min(pendingFloor, w.windowEnd);
            }
            if (moved && progress.watermark() != SourceProgress.NONE) {
                closeSettledWindows(progress.watermark());
            }
        }

        private void closeSettledWindows(final long watermark) {
            final List<KeyValue<String, PendingWindow>> due = new ArrayList<>();
            final long through = Math.max(0, watermark - settle);
            if (Math.max(0, pendingFloor) > through) {
                // Nothing pending ends by then; and a range with from > to makes the store log a warning.
                return;
            }
            try (KeyValueIterator<String, PendingWindow> it = pending.range(windowKey(Math.max(0, pendingFloor), 0),
                    windowKey(through, Long.MAX_VALUE))) {
                while (it.hasNext()) {
                    due.add(it.next());
                }
            }
            for (final KeyValue<String, PendingWindow> e : due) {
                pending.delete(e.key);
                final PendingWindow w = e.value;
                // Members kept in the window's own value by earlier versions are still in w.members.
                final List<String> gathered = new ArrayList<>();
                try (KeyValueIterator<String, Member> it = pendingMembers.range(e.key + "|", e.key + "|\uffff")) {
                    while (it.hasNext()) {
                        final KeyValue<String, Member> m = it.next();
                        gathered.add(m.key);
                        final Member existing = w.members.get(m.value.key());
                        if (existing == null) {
                            w.members.put(m.value.key(), m.value);
                        } else {
                            existing.merge(m.value);
                        }
                    }
                }
                gathered.forEach(pendingMembers::delete);
                closeWindow(w);
            }
            pendingFloor = Math.max(pendingFloor, through + 1);
            judgeHeld(through);
        }

        private void closeWindow(final PendingWindow w) {
            if (campaigns == null) {
                campaigns = CampaignIndex.load(campaignStore);
            }
            final boolean warmingUp = warmingUp(w);
            // A window that started before the first traffic holds only part of a window's worth:
            // learnt, it would put every text's usual level far too low.
            final boolean partial = warmingUp && w.windowStart < warmFrom - WARM_UP_WINDOWS * config.abuseWindow().toMillis();
            expire(w.windowStart);
            for (final List<Member> cluster : NearDuplicates.clusters(w.members.values(), config.abuseHamming())) {
                final int accounts = NearDuplicates.accounts(cluster).size();
                noteLevel(cluster, accounts, w);
                if (accounts < config.abuseMinAccounts()) {
                    if (accounts >= observedAccounts(config) && !partial) {
                        usualThenLearn(cluster, accounts, w.windowStart);
                    }
                    continue;
                }
                // Judged against the earlier windows only, then this window joins the baseline.
                final double usual = partial ? 0 : usualThenLearn(cluster, accounts, w.windowStart);
                final boolean burst = accounts >= config.abuseBurstRatio() * usual
                        && poissonTail(usual, accounts) <= config.abuseSignificance();
                final Campaign known = campaigns.findActive(cluster, config.abuseHamming());
                if (known != null) {
                    // The live object changes in place, so any change (also to its times or
                    // variants, which absorb does not report) must reach the store with it.
                    final long seenBefore = known.lastSeen;
                    final long firstBefore = known.firstSeen;
                    final int variantsBefore = known.fingerprints.size();
                    final boolean learnt = known.absorb(cluster);
                    countCapped(known);
                    if (learnt) {
                        final boolean grew = known.accounts.size()
                                >= Math.ceil(known.alertedAccounts * (1 + config.abuseUpdateGrowth()))
                                && known.accounts.size() > known.alertedAccounts;
                        // Growth is news when it comes in a burst; a text's steady background use is not.
                        if (grew && burst) {
                            raise(known, w, false);
                        }
                    }
                    if (learnt || known.lastSeen != seenBefore || known.firstSeen != firstBefore
                            || known.fingerprints.size() != variantsBefore) {
                        campaigns.put(known);
                    }
                    continue;
                }
                if (warmingUp) {
                    // No text has a baseline yet: popular or coordinated cannot be told apart here.
                    hold(cluster, accounts, w);
                    continue;
                }
                if (!burst) {
                    // As many accounts as this text usually has: background popularity, not coordination.
                    continue;
                }
                final Campaign wasHeld = heldMatch(cluster);
                if (wasHeld != null) {
                    // Judged a burst on its own after all: alerted here, no longer held.
                    held().delete(wasHeld);
                }
                final Campaign c = new Campaign();
                c.detectedWindowStart = w.windowStart;
                c.detectedWindowEnd = w.windowEnd;
                c.absorb(cluster);
                countCapped(c);
                c.id = campaignId(c.fingerprints.stream().min(Long::compareUnsigned).orElse(0L), w.windowStart);
                c.dedupKey = Alerts.dedupKey(AlertType.COORDINATED_ABUSE, "cluster", c.id,
                        "from-" + Instant.ofEpochMilli(w.windowStart));
                raise(c, w, true);
                campaigns.put(c);
            }
        }

        /**
         * Whether {@code w} is a warm-up window, one whose texts have had no full window of
         * traffic before it to learn their usual level from. Decided once per task, at the first
         * window it closes (the same for a replay of the same input): a task with no background
         * and no campaigns is starting fresh, and its warm-up lasts {@link #WARM_UP_WINDOWS} window
         * lengths from the first advance step holding traffic; a task that already has either
         * (state kept or restored over a restart, or from before warm-ups existed) needs none.
         */
        private boolean warmingUp(final PendingWindow w) {
            if (warmFrom == null) {
                Long stored = warmUp.get(WARM_FROM_KEY);
                if (stored == null) {
                    stored = hasHistory() ? WARM_ALREADY
                            : w.windowEnd - config.abuseAdvance().toMillis()
                                    + WARM_UP_WINDOWS * config.abuseWindow().toMillis();
                    warmUp.put(WARM_FROM_KEY, stored);
                }
                warmFrom = stored;
            }
            return w.windowStart < warmFrom;
        }

        private boolean hasHistory() {
            if (campaigns.size() > 0) {
                return true;
            }
            try (KeyValueIterator<String, Background> it = background.all()) {
                return it.hasNext();
            }
        }

        private CampaignIndex held() {
            if (held == null) {
                held = CampaignIndex.load(heldStore);
            }
            return held;
        }

        private Campaign heldMatch(final List<Member> cluster) {
            return held().size() == 0 ? null : held().findActive(cluster, config.abuseHamming());
        }

        /**
         * Keeps a warm-up cluster with at least the threshold of accounts (no alert): with the
         * cluster it continues if any, its peak accounts per window and where its held windows end.
         */
        private void hold(final List<Member> cluster, final int accounts, final PendingWindow w) {
            Campaign h = heldMatch(cluster);
            if (h == null) {
                h = new Campaign();
                h.hold = new Campaign.Hold();
                h.hold.from = w.windowStart;
                h.id = campaignId(cluster.stream().mapToLong(m -> m.simhash).min().orElse(0L), w.windowStart);
            }
            h.absorb(cluster, HELD_CAP, HELD_CAP);
            h.hold.cappedAccounts += h.cappedAccounts;
            h.hold.cappedMessages += h.cappedMessages;
            h.cappedAccounts = 0;
            h.cappedMessages = 0;
            h.hold.accounts.merge(w.windowStart, accounts, Math::max);
            if (accounts > h.hold.peakAccounts) {
                h.hold.peakAccounts = accounts;
                h.hold.peakWindowStart = w.windowStart;
                h.hold.peakWindowEnd = w.windowEnd;
            }
            h.hold.classifierVersion = Member.newerVersion(h.hold.classifierVersion, w.classifierVersion);
            h.hold.until = Math.max(h.hold.until, w.windowEnd);
            held().put(h);
        }

        /** Records the accounts a held cluster's text reached in a window, while held or after. */
        private void noteLevel(final List<Member> cluster, final int accounts, final PendingWindow w) {
            final Campaign h = heldMatch(cluster);
            if (h != null && w.windowStart >= h.hold.from) {
                final Integer before = h.hold.accounts.get(w.windowStart);
                if (before == null || accounts > before) {
                    h.hold.accounts.put(w.windowStart, accounts);
                    held().put(h);
                }
            }
        }

        /**
         * Judges the held clusters at every window that has closed by {@code through}. A held
         * cluster is a campaign if its text's level while held (mean accounts over the windows
         * from its first held one to its last in which it reached the merger) is a burst against
         * its level after (mean accounts over the windows from the first that does not overlap a
         * held one, plus {@link #HELD_AFTER_SLACK}), by the same ratio and significance tests as
         * after the warm-up. It is judged as each window after closes, and is background once
         * judged {@link #HELD_JUDGEMENTS} times without being a campaign. A window after in which
         * its text did not reach the merger counts as the most it could have had there unseen.
         */
        private void judgeHeld(final long through) {
            final long size = config.abuseWindow().toMillis();
            final long advance = config.abuseAdvance().toMillis();
            final long lastStart = Math.floorDiv(through - size, advance) * advance;
            if (lastStart <= heldCheckedThrough || held().size() == 0) {
                return;
            }
            heldCheckedThrough = lastStart;
            final int unseenAfter = observedAccounts(config) - 1;
            for (final Campaign h : held().all()) {
                final Campaign.Hold hold = h.hold;
                final long lastHeld = Math.floorDiv(hold.until - size, advance) * advance;
                final long firstAfter = Math.floorDiv(hold.until + advance - 1, advance) * advance;
                final long lastJudged = firstAfter + (HELD_JUDGEMENTS - 1) * advance;
                final long resume = hold.judgedThrough == Long.MIN_VALUE ? firstAfter : hold.judgedThrough + advance;
                final double during = hold.accounts.subMap(hold.from, true, lastHeld, true).values().stream()
                        .mapToInt(Integer::intValue).average().orElse(0);
                boolean changed = false;
                for (long s = Math.max(firstAfter, resume); s <= Math.min(lastStart, lastJudged); s += advance) {
                    hold.judgedThrough = s;
                    changed = true;
                    final double after = mean(hold.accounts, firstAfter, s, advance, unseenAfter) + HELD_AFTER_SLACK;
                    if (during >= config.abuseBurstRatio() * after
                            && poissonTail(after, (int) Math.floor(during)) <= config.abuseSignificance()) {
                        alertHeld(h, s + size);
                        changed = false;
                        break;
                    }
                    if (s == lastJudged) {
                        // As many accounts after the warm-up as in it: a popular text, not a campaign.
                        held().delete(h);
                        changed = false;
                        break;
                    }
                }
                if (changed) {
                    held().put(h);
                }
            }
        }

        /** Mean accounts per window over the windows starting from {@code first} to {@code last}, {@code unseen} where absent. */
        private static double mean(final java.util.SortedMap<Long, Integer> accounts, final long first, final long last,
                                   final long advance, final int unseen) {
            double sum = 0;
            int windows = 0;
            for (long s = first; s <= last; s += advance) {
                sum += accounts.getOrDefault(s, unseen);
                windows++;
            }
            return windows == 0 ? 0 : sum / windows;
        }

        /** A held cluster turned out to be a campaign: alerted now, as detected in its peak window. */
        private void alertHeld(final Campaign h, final long raisedAt) {
            if (campaigns == null) {
                campaigns = CampaignIndex.load(campaignStore);
            }
            held().delete(h);
            final Campaign.Hold hold = h.hold;
            h.hold = null;
            if (campaigns.findActive(new ArrayList<>(membersOf(h)), config.abuseHamming()) != null) {
                // Its text became a campaign meanwhile (alerted then): nothing new to say.
                return;
            }
            h.detectedWindowStart = hold.peakWindowStart;
            h.detectedWindowEnd = hold.peakWindowEnd;
            h.id = campaignId(h.fingerprints.stream().min(Long::compareUnsigned).orElse(0L), hold.peakWindowStart);
            h.dedupKey = Alerts.dedupKey(AlertType.COORDINATED_ABUSE, "cluster", h.id,
                    "from-" + Instant.ofEpochMilli(hold.peakWindowStart));
            h.cappedAccounts = hold.cappedAccounts;
            h.cappedMessages = hold.cappedMessages;
            countCapped(h);
            raise(h, raisedAt, hold.classifierVersion, true);
            campaigns.put(h);
        }

        /** One member per fingerprint of {@code c}, to look it up among the campaigns. */
        private static List<Member> membersOf(final Campaign c) {
            final List<Member> out = new ArrayList<>();
            for (final long f : c.fingerprints) {
                final Member m = new Member();
                m.simhash = f;
                out.add(m);
            }
            return out;
        }

        /** Evidence a campaign could not keep (its account and message lists are capped) is counted. */
        private void countCapped(final Campaign c) {
            if (c.cappedAccounts > 0 || c.cappedMessages > 0) {
                final long accounts = c.cappedAccounts;
                final long messages = c.cappedMessages;
                Metered.safely(() -> {
                    metrics.abuseDropped("campaign_accounts", accounts);
                    metrics.abuseDropped("campaign_messages", messages);
                });
                c.cappedAccounts = 0;
                c.cappedMessages = 0;
            }
        }

        /**
         * The usual distinct accounts per window of this cluster's texts over windows that ended
         * before this one started (the highest of its fingerprints), then this window is recorded.
         */
        private double usualThenLearn(final List<Member> cluster, final int accounts, final long windowStart) {
            final java.util.TreeSet<Long> prints = new java.util.TreeSet<>();
            for (final Member m : cluster) {
                prints.add(m.simhash);
            }
            double usual = 0;
            for (final long f : prints) {
                final String key = fingerprintKey(f);
                final Background b = background.get(key);
                // A baseline not refreshed within its TTL counts as none, whether or not the
                // sweep in expire() has removed it yet.
                final Background next = b == null || stale(b, windowStart) ? new Background() : b;
                usual = Math.max(usual, next.usualBefore(windowStart, config.abuseWindow().toMillis(),
                        config.baselineAlpha()));
                next.observe(accounts, windowStart);
                background.put(key, next);
            }
            return usual;
        }

        /**
         * Drops campaigns quiet for longer than their TTL, with the baseline their texts built
         * (a campaign is not background: the same text coming back later is a new campaign).
         * Baselines not refreshed within the background TTL are swept a few times per TTL, not
         * every window: {@link #usualThenLearn} already treats them as absent, so when the sweep
         * runs changes no result, and a scan of every baseline per window grew with traffic.
         */
        private void expire(final long windowStart) {
            for (final Campaign c : campaigns.quietSince(windowStart - config.abuseClusterTtl().toMillis())) {
                campaigns.delete(c);
                c.fingerprints.forEach(f -> background.delete(fingerprintKey(f)));
            }
            final long slot = Math.floorDiv(windowStart, backgroundSweepEvery());
            if (slot == backgroundSweptSlot) {
                return;
            }
            backgroundSweptSlot = slot;
            final List<String> stale = new ArrayList<>();
            try (KeyValueIterator<String, Background> it = background.all()) {
                while (it.hasNext()) {
                    final KeyValue<String, Background> e = it.next();
                    if (stale(e.value, windowStart)) {
                        stale.add(e.key);
                    }
                }
            }
            stale.forEach(background::delete);
        }

        private boolean stale(final Background b, final long windowStart) {
            return b.lastWindowStart + config.abuseBackgroundTtl().toMillis() < windowStart;
        }

        /** How often stale baselines are swept: an eighth of their TTL, at least one window advance. */
        private long backgroundSweepEvery() {
            return Math.max(config.abuseAdvance().toMillis(), config.abuseBackgroundTtl().toMillis() / 8);
        }

        private static String fingerprintKey(final long simhash) {
            return SortableKeys.hex(simhash, 16);
        }

        /** Sends the campaign's alert; {@code first} is false for a re-send of a grown campaign. */
        private void raise(final Campaign c, final PendingWindow w, final boolean first) {
            raise(c, w.windowEnd, w.classifierVersion, first);
        }

        /** Sends the campaign's alert, raised at the end of the window that showed it. */
        private void raise(final Campaign c, final long raisedAt, final String classifierVersion, final boolean first) {
            c.alertedAccounts = c.accounts.size();
            final Map<String, String> e = new LinkedHashMap<>();
            e.put("accounts", String.valueOf(c.accounts.size()));
            e.put("messages", String.valueOf(c.messages.size()));
            e.put("near_duplicate_variants", String.valueOf(c.fingerprints.size()));
            e.put("first_seen", Instant.ofEpochMilli(c.firstSeen).toString());
            e.put("last_seen", Instant.ofEpochMilli(c.lastSeen).toString());
            e.put("hamming_max", String.valueOf(config.abuseHamming()));
            e.put("window_size", config.abuseWindow().toString());
            e.put("account_sample", String.join(",",
                    c.accounts.stream().limit(config.accountSampleSize()).toList()));
            final Severity severity = c.accounts.size() >= 10L * config.abuseMinAccounts()
                    ? Severity.CRITICAL : Severity.WARNING;
            final SafetyAlert alert = alerts.alert(AlertType.COORDINATED_ABUSE, severity, c.dedupKey,
                    Instant.ofEpochMilli(raisedAt), Instant.ofEpochMilli(c.detectedWindowStart),
                    Instant.ofEpochMilli(raisedAt), "cluster", c.id,
                    c.accounts.size() + " accounts sent " + c.messages.size()
                            + " near-identical messages between " + Instant.ofEpochMilli(c.firstSeen) + " and "
                            + Instant.ofEpochMilli(c.lastSeen), e,
                    classifierVersion == null ? "" : classifierVersion);
            if (first) {
                // A re-send updates the same incident; counting it would inflate the alert rate.
                Metered.safely(() -> metrics.alertRaised(alert));
            }
            context.forward(new Record<>(c.dedupKey, alert, raisedAt));
        }

        private static String windowKey(final long end, final long start) {
            return String.format(Locale.ROOT, "%019d|%019d", end, start);
        }

        /** A pseudonymous campaign id: a digest, so the alert does not carry the fingerprint itself. */
        static String campaignId(final long fingerprint, final long windowStart) {
            try {
                final byte[] d = MessageDigest.getInstance("SHA-256")
                        .digest((Long.toUnsignedString(fingerprint, 16) + "@" + windowStart)
                                .getBytes(StandardCharsets.UTF_8));
                return "campaign-" + HexFormat.of().formatHex(d, 0, 6);
            } catch (final NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every JRE", e);
            }
        }
    }
}
