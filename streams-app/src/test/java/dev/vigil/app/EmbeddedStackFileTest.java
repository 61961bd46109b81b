package dev.vigil.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedStackFileTest {
    @TempDir
    Path dir;

    @Test
    void shouldLetOtherCommandsFindARunningEmbeddedStack() {
        EmbeddedStackFile.write(dir, new EmbeddedStackFile.Stack("127.0.0.1:9092", "http://127.0.0.1:8081"));
        assertEquals(Optional.of(new EmbeddedStackFile.Stack("127.0.0.1:9092", "http://127.0.0.1:8081")),
                EmbeddedStackFile.read(dir));
    }

    @Test
    void shouldIgnoreAFileLeftByAProcessThatNoLongerRuns() throws Exception {
        final Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(EmbeddedStackFile.path(dir), "bootstrap.servers=127.0.0.1:9092\n"
                + "schema.registry.url=http://127.0.0.1:8081\npid=" + gone.pid() + "\n");
        assertTrue(EmbeddedStackFile.read(dir).isEmpty());
    }

    @Test
    void shouldFindNothingAfterTheStackStopped() {
        EmbeddedStackFile.write(dir, new EmbeddedStackFile.Stack("127.0.0.1:9092", "http://127.0.0.1:8081"));
        EmbeddedStackFile.delete(dir);
        assertTrue(EmbeddedStackFile.read(dir).isEmpty());
    }
}
