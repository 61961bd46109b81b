package dev.vigil.app;

import dev.vigil.stream.InputLag;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs Vigil's topology on Kafka Streams: starts it, exposes its state for health checks, and
 * stops it cleanly on shutdown. A stream thread that dies of an unexpected error is replaced,
 * so one failure does not silently halve the processing capacity; its error is logged without
 * record contents.
 */
public final class VigilApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VigilApp.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaStreams streams;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final String applicationId;

    public VigilApp(final Topology topology, final StreamsSettings settings) {
        this.streams = new KafkaStreams(topology, settings.toProperties());
        this.applicationId = settings.applicationId();
        // Lets quiet tasks tell "nothing to read" from "cannot read" (see InputLag).
        InputLag.register(applicationId, streams::metrics, topology.describe());
        streams.setUncaughtExceptionHandler(VigilApp::onUncaught);
        streams.setStateListener((now, before) -> {
            LOG.info("Kafka Streams state {} -> {}", before, now);
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
    }

    private static StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onUncaught(final Throwable e) {
        // Exception messages from the serdes and the classifier are ours and carry no text.
        LOG.error("stream thread failed ({}: {}); replacing it", e.getClass().getSimpleName(), e.getMessage());
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    public void start() {
        streams.start();
    }

    /** Current state, for liveness (running or rebalancing) and readiness (running). */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /** The Kafka Streams instance, for metrics binders and interactive queries. */
    public KafkaStreams streams() {
        return streams;
    }

    /** Blocks until the application stops (shutdown hook, close, or a fatal error). */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Waits until the application is RUNNING; false on timeout or if it stopped. */
    public boolean awaitRunning(final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            final KafkaStreams.State state = streams.state();
            if (state == KafkaStreams.State.RUNNING) {
                return true;
            }
            if (!state.isRunningOrRebalancing() && state != KafkaStreams.State.CREATED) {
                return false;
            }
            if (stopped.await(100, TimeUnit.MILLISECONDS)) {
                return false;
            }
        }
        return false;
    }

    /**
     * Registers a named JVM shutdown hook that closes the application (committing its last
     * transaction) before the JVM exits.
     */
    public VigilApp closeOnShutdown(final Runnable afterClose) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            close();
            afterClose.run();
        }, "vigil-shutdown-hook"));
        return this;
    }

    @Override
    public void close() {
        // Leave the group: otherwise the next start waits out the old member's session timeout
        // (45 s by default) before it gets its partitions back.
        streams.close(new KafkaStreams.CloseOptions().timeout(CLOSE_TIMEOUT).leaveGroup(true));
        InputLag.unregister(applicationId);
        stopped.countDown();
    }
}
