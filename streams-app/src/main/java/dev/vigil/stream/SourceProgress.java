package dev.vigil.stream;

import dev.vigil.config.MonitoringConfig;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.common.serialization.Serdes;

import java.util.Map;
import java.util.TreeMap;

/**
 * The reading side of event-time progress (see {@link Stamped}): the latest progress of every
 * sending task seen on this task's partition, kept in a state store so a restarted task resumes
 * exactly where its last committed transaction left it.
 *
 * <p>{@link #watermark()} is the event time every sender has passed: the least progress over the
 * senders that are not idle (the furthest progress when all are idle), or no watermark at all
 * while some sender has never been heard from.
 * Each sender's records arrive in the order it sent them, so once the watermark passes a point no
 * record stamped before that point can still arrive, whichever sender was slow.
 */
public final class SourceProgress {
    /** No watermark yet: some sender has not been heard from. */
    public static final long NONE = Long.MIN_VALUE;
    private static final String SOURCES_KEY = "#sources";
    private static final String CLOSED_KEY = "#closed-through";

    private final String storeName;
    private KeyValueStore<String, String> store;
    private final Map<Integer, Long> times = new TreeMap<>();
    private final Map<Integer, Boolean> idle = new TreeMap<>();
    private int sources;
    private long closedThrough = NONE;

    public SourceProgress(final String storeName) {
        this.storeName = storeName;
    }

    /** The store this tracker needs, to add to the topology under {@code name}. */
    public static StoreBuilder<KeyValueStore<String, String>> store(final MonitoringConfig config, final String name) {
        return Stores.keyValueStoreBuilder(config.keyValueStore(name), Serdes.String(), Serdes.String());
    }

    public void init(final ProcessorContext<?, ?> context) {
        store = context.getStateStore(storeName);
        times.clear();
        idle.clear();
        sources = 0;
        closedThrough = NONE;
        try (KeyValueIterator<String, String> it = store.all()) {
            while (it.hasNext()) {
                final var e = it.next();
                if (e.key.equals(SOURCES_KEY)) {
                    sources = Integer.parseInt(e.value);
                } else if (e.key.equals(CLOSED_KEY)) {
                    closedThrough = Long.parseLong(e.value);
                } else {
                    final String[] parts = e.value.split(",", 2);
                    final int source = Integer.parseInt(e.key);
                    times.put(source, Long.parseLong(parts[0]));
                    idle.put(source, "idle".equals(parts[1]));
                }
            }
        }
    }

    /** Records what {@code r} says of its sender; true if that changed anything. */
    public boolean observe(final Stamped r) {
        if (r.source < 0) {
            return false;
        }
        boolean changed = false;
        if (r.sources > sources) {
            sources = r.sources;
            store.put(SOURCES_KEY, String.valueOf(sources));
            changed = true;
        }
        final Long before = times.get(r.source);
        final long time = before == null ? r.sourceTime : Math.max(before, r.sourceTime);
        final boolean wasIdle = Boolean.TRUE.equals(idle.get(r.source));
        if (before == null || time != before || wasIdle != r.sourceIdle) {
            times.put(r.source, time);
            idle.put(r.source, r.sourceIdle);
            store.put(String.valueOf(r.source), time + "," + (r.sourceIdle ? "idle" : "active"));
            changed = true;
        }
        return changed;
    }

    /** Everything at or before this event time has been closed by the reader (persisted with the rest). */
    public long closedThrough() {
        return closedThrough;
    }

    public void closedThrough(final long time) {
        closedThrough = time;
        store.put(CLOSED_KEY, String.valueOf(time));
    }

    /** How many senders this reader waits for (0 until the first record). */
    public int sources() {
        return sources;
    }

    /** The event time every sender has passed, or {@link #NONE}. */
    public long watermark() {
        if (sources == 0) {
            return NONE;
        }
        long active = Long.MAX_VALUE;
        long quiet = NONE;
        for (int s = 0; s < sources; s++) {
            final Long t = times.get(s);
            if (t == null) {
                return NONE;
            }
            if (Boolean.TRUE.equals(idle.get(s))) {
                quiet = Math.max(quiet, t);
            } else {
                active = Math.min(active, t);
            }
        }
        if (active != Long.MAX_VALUE) {
            return active;
        }
        // Every sender is idle: nothing new is coming, so go as far as the furthest got (quiet
        // senders follow the busiest, as they do while any sender is active). Taking the furthest,
        // not the order in which they fell quiet, makes the end state the same in every run.
        return quiet < 0 ? NONE : quiet;
    }
}
