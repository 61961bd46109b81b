package dev.vigil.simulate;

import dev.vigil.schema.ConversationEvent;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;

import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends simulated events to the input topic, keyed by conversation id with the event time as
 * record time. Paced, each event is sent when the wall clock reaches its event time (a live
 * demo); unpaced, as fast as the broker takes them (pre-loading a topic for a benchmark).
 */
public final class TrafficProducer implements Runnable {
    private final Iterator<ConversationEvent> events;
    private final Producer<String, byte[]> producer;
    private final Serializer<ConversationEvent> serializer;
    private final String topic;
    private final boolean paced;
    private final Clock clock;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();
    private volatile Exception failure;

    public TrafficProducer(final Iterator<ConversationEvent> events, final Producer<String, byte[]> producer,
                           final Serializer<ConversationEvent> serializer, final String topic, final boolean paced,
                           final Clock clock) {
        this.events = events;
        this.producer = producer;
        this.serializer = serializer;
        this.topic = topic;
        this.paced = paced;
        this.clock = clock;
    }

    @Override
    public void run() {
        try {
            while (!stopped.get() && events.hasNext()) {
                final ConversationEvent e = events.next();
                if (paced) {
                    final long wait = e.getTimestamp().toEpochMilli() - Instant.now(clock).toEpochMilli();
                    if (wait > 0) {
                        Thread.sleep(wait);
                    }
                }
                producer.send(new ProducerRecord<>(topic, null, e.getTimestamp().toEpochMilli(), e.getConversationId(),
                        serializer.serialize(topic, e)), (meta, ex) -> {
                            if (ex != null && failure == null) {
                                failure = ex;
                            }
                        });
                sent.incrementAndGet();
            }
            producer.flush();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void stop() {
        stopped.set(true);
    }

    public long sent() {
        return sent.get();
    }

    /** The first send error, if any. */
    public Exception failure() {
        return failure;
    }
}
