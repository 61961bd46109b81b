package dev.vigil.stream;

import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sending side of event-time progress: what a quiet task tells the readers. */
class ProgressStamperTest {

    /** Forwards each input string as one stamped record. */
    private static final class Echo extends ProgressStamper<String, String, ProgressWindowsTest.Count> {
        Echo(final Duration idleAfter) {
            super(ProgressWindowsTest.Count::new, idleAfter);
        }

        @Override
        protected void emit(final Record<String, String> record, final Emitter<ProgressWindowsTest.Count> out) {
            out.send(record.key(), new ProgressWindowsTest.Count(), record.timestamp());
        }
    }

    @Test
    void shouldReportAPartitionThatNeverHadInputIdleWithoutStoppingTheThread() {
        final Echo stamper = new Echo(Duration.ZERO);
        final MockProcessorContext<String, ProgressWindowsTest.Count> context = new MockProcessorContext<>();
        // Before a task's first record Kafka Streams reports its stream time as -1.
        context.setCurrentStreamTimeMs(-1);
        stamper.init(context);

        context.scheduledPunctuators().get(0).getPunctuator().punctuate(0);

        final List<MockProcessorContext.CapturedForward<? extends String, ? extends ProgressWindowsTest.Count>> sent =
                context.forwarded();
        assertEquals(1, sent.size());
        final ProgressWindowsTest.Count report = sent.get(0).record().value();
        assertTrue(report.progressOnly && report.sourceIdle, "an idle progress report");
        assertEquals(0, sent.get(0).record().timestamp(), "a record timestamp may not be negative");
    }
}
