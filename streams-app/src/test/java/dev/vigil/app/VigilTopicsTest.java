package dev.vigil.app;

import dev.vigil.config.Topics;
import dev.vigil.config.MonitoringConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class VigilTopicsTest {

    private static Map<String, NewTopic> byName(final List<NewTopic> topics) {
        return topics.stream().collect(Collectors.toMap(NewTopic::name, t -> t));
    }

    @Test
    void shouldKeepEventTimeRecordsForeverByDefaultSoLoadedHistoryIsNotDeletedByTheBrokersDefaultRetention() {
        final Map<String, NewTopic> topics = byName(VigilTopics.topics(Topics.CONVERSATION_EVENTS,
                MonitoringConfig.defaults(), 3, (short) 1));
        for (final String name : List.of(Topics.CONVERSATION_EVENTS,
                Topics.MESSAGE_SIGNALS, Topics.AGGREGATES, Topics.ALERTS, Topics.ALERTS_DLQ)) {
            assertEquals("-1", topics.get(name).configs().get(TopicConfig.RETENTION_MS_CONFIG), name);
        }
        // Summaries are compacted: the latest per conversation stays, whatever its age.
        final Map<String, String> summaries = topics.get(Topics.CONVERSATION_SUMMARIES).configs();
        assertEquals(TopicConfig.CLEANUP_POLICY_COMPACT, summaries.get(TopicConfig.CLEANUP_POLICY_CONFIG));
        assertFalse(summaries.containsKey(TopicConfig.RETENTION_MS_CONFIG));
    }

    @Test
    void shouldApplyAnExplicitRetentionToEveryTimeRetainedTopic() {
        final Map<String, NewTopic> topics = byName(VigilTopics.topics(Topics.CONVERSATION_EVENTS,
                MonitoringConfig.defaults(), 3, (short) 1, Duration.ofDays(30), Duration.ofDays(3)));
        assertEquals(Long.toString(Duration.ofDays(30).toMillis()),
                topics.get(Topics.MESSAGE_SIGNALS).configs().get(TopicConfig.RETENTION_MS_CONFIG));
        assertEquals(Long.toString(Duration.ofDays(30).toMillis()),
                topics.get(Topics.CONVERSATION_EVENTS).configs().get(TopicConfig.RETENTION_MS_CONFIG));
    }

    @Test
    void shouldKeepTheInputsDeadLettersWhichHoldRawTextOnlyForAFiniteTimeFromWhenTheyWereWritten() {
        final Map<String, String> byDefault = byName(VigilTopics.topics(Topics.CONVERSATION_EVENTS,
                MonitoringConfig.defaults(), 3, (short) 1)).get(Topics.CONVERSATION_EVENTS_DLQ).configs();
        assertEquals(Long.toString(Duration.ofDays(7).toMillis()), byDefault.get(TopicConfig.RETENTION_MS_CONFIG));
        assertEquals("LogAppendTime", byDefault.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG),
                "counted from when written, not from the (possibly old) event time");
        final Map<String, String> chosen = byName(VigilTopics.topics(Topics.CONVERSATION_EVENTS,
                MonitoringConfig.defaults(), 3, (short) 1, null, Duration.ofDays(3)))
                .get(Topics.CONVERSATION_EVENTS_DLQ).configs();
        assertEquals(Long.toString(Duration.ofDays(3).toMillis()), chosen.get(TopicConfig.RETENTION_MS_CONFIG));
    }
}
