package dev.vigil.replay;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The replay's producer: Kafka Streams' own (transactional) producer, except that a record for
 * one of the replay's output topics whose timestamp lies outside the published range is not
 * sent. Internal topics (repartition, changelog) get everything, so state and stream time evolve
 * exactly as they did live; only what is published is cut (see {@link ReplayRange}).
 */
final class PublishingWindowProducer implements Producer<byte[], byte[]> {
    private final Producer<byte[], byte[]> delegate;
    private final Set<String> outputTopics;
    private final ReplayRange range;
    private final AtomicLong withheld;

    PublishingWindowProducer(final Producer<byte[], byte[]> delegate, final Set<String> outputTopics,
                             final ReplayRange range, final AtomicLong withheld) {
        this.delegate = delegate;
        this.outputTopics = outputTopics;
        this.range = range;
        this.withheld = withheld;
    }

    @Override
    public Future<RecordMetadata> send(final ProducerRecord<byte[], byte[]> record) {
        return send(record, null);
    }

    @Override
    public Future<RecordMetadata> send(final ProducerRecord<byte[], byte[]> record, final Callback callback) {
        if (outputTopics.contains(record.topic()) && record.timestamp() != null
                && !range.publishes(record.timestamp())) {
            withheld.incrementAndGet();
            // The callback is not called: nothing was written, and Kafka Streams' callback only
            // records written offsets (of changelogs; it warns about a sink offset of -1).
            return CompletableFuture.completedFuture(new RecordMetadata(
                    new TopicPartition(record.topic(), record.partition() == null ? 0 : record.partition()),
                    -1, 0, record.timestamp(), -1, -1));
        }
        return delegate.send(record, callback);
    }

    @Override
    public void initTransactions() {
        delegate.initTransactions();
    }

    @Override
    public void beginTransaction() {
        delegate.beginTransaction();
    }

    @Override
    public void sendOffsetsToTransaction(final Map<TopicPartition, OffsetAndMetadata> offsets,
                                         final ConsumerGroupMetadata groupMetadata) {
        delegate.sendOffsetsToTransaction(offsets, groupMetadata);
    }

    @Override
    public void commitTransaction() {
        delegate.commitTransaction();
    }

    @Override
    public void abortTransaction() {
        delegate.abortTransaction();
    }

    @Override
    public void registerMetricForSubscription(final KafkaMetric metric) {
        delegate.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(final KafkaMetric metric) {
        delegate.unregisterMetricFromSubscription(metric);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(final String topic) {
        return delegate.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return delegate.metrics();
    }

    @Override
    public Uuid clientInstanceId(final Duration timeout) {
        return delegate.clientInstanceId(timeout);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public void close(final Duration timeout) {
        delegate.close(timeout);
    }
}
