package dev.vigil.http;

import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that connect and then hold back: nothing sent, half a request line, headers without
 * their end, a byte at a time, a TLS hello on the plain port, a request whose answer is never
 * read. Whatever they do, and however many of them, {@code /health/live}, {@code /health/ready}
 * and {@code /metrics} must answer at once, and the server must drop them once their time is up.
 * (On the JDK server that Vigil used before, two half-sent requests held both its threads and
 * every probe timed out.)
 */
class SlowClientsTest {
    /** A probe answering later than this would be a timeout to a strict kubelet. */
    private static final Duration PROMPT = Duration.ofSeconds(1);

    /** Ways a client connects and then keeps the server waiting. */
    enum Stall {
        NOTHING_SENT(""),
        ONE_BYTE("G"),
        HALF_REQUEST_LINE("GET /hea"),
        REQUEST_LINE_ONLY("GET /health/live HTTP/1.1\r\n"),
        HEADERS_WITHOUT_END("GET /metrics HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n"),
        HALF_HEADER_NAME("GET /api/alerts HTTP/1.1\r\nHost: localhost\r\nAuthoriz"),
        BARE_LF_NO_END("GET /health/ready HTTP/1.0\nHost: x\n"),
        TLS_CLIENT_HELLO("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003"),
        BINARY_NO_NEWLINE("\u0000\u00ff\u00fe\u0001\u0002garbage"),
        HALF_SENT_THEN_HALF_CLOSED("GET /api/aggreg");

        final String bytes;

        Stall(final String bytes) {
            this.bytes = bytes;
        }
    }

    private final List<Socket> held = new ArrayList<>();
    private final AtomicBoolean dribbling = new AtomicBoolean(true);
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private VigilHttpServer server;
    private long slowestProbe;

    @AfterEach
    void release() throws Exception {
        dribbling.set(false);
        threads.shutdownNow();
        for (final Socket s : held) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private VigilHttpServer start(final String scrape, final NonBlockingHttpServer.Limits limits) throws IOException {
        return VigilHttpServer.start("127.0.0.1", 0, () -> scrape, () -> KafkaStreams.State.RUNNING,
                new RecentAlerts(), new CurrentAggregates(), () -> true, null, limits);
    }

    private Socket stall(final int port, final Stall how) throws IOException {
        final Socket s = new Socket("127.0.0.1", port);
        held.add(s);
        if (!how.bytes.isEmpty()) {
            s.getOutputStream().write(how.bytes.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
        }
        if (how == Stall.HALF_SENT_THEN_HALF_CLOSED) {
            s.shutdownOutput();
        }
        return s;
    }

    /** A client that sends a whole request, one byte every 200 ms, and so never finishes in time. */
    private void dribble(final int port) throws IOException {
        final Socket s = new Socket("127.0.0.1", port);
        held.add(s);
        threads.submit(() -> {
            final byte[] request = RawHttp.get("/health/live").getBytes(StandardCharsets.US_ASCII);
            try {
                final OutputStream out = s.getOutputStream();
                for (int i = 0; i < request.length - 2 && dribbling.get(); i++) {
                    out.write(request[i]);
                    out.flush();
                    Thread.sleep(200);
                }
            } catch (final IOException | InterruptedException e) {
                // closed by the server or the test
            }
            return null;
        });
    }

    /** A client that asks for a large answer and never reads it. */
    private void neverRead(final int port) throws IOException {
        final Socket s = new Socket("127.0.0.1", port);
        held.add(s);
        s.setReceiveBufferSize(4096);
        s.getOutputStream().write(RawHttp.get("/metrics").getBytes(StandardCharsets.US_ASCII));
    }

    /** Every probe and the scrape, several at once; the slowest answer. */
    private long probeAll(final int port, final String expectedScrapeStart) throws Exception {
        final List<Future<RawHttp.Answer>> answers = new ArrayList<>();
        final List<String> paths = List.of("/health/live", "/health/ready", "/metrics");
        for (int round = 0; round < 4; round++) {
            for (final String path : paths) {
                answers.add(threads.submit(() -> RawHttp.send(port, RawHttp.get(path), Duration.ofSeconds(5))));
            }
        }
        long slowest = 0;
        for (int i = 0; i < answers.size(); i++) {
            final RawHttp.Answer a = answers.get(i).get(10, TimeUnit.SECONDS);
            final String path = paths.get(i % paths.size());
            assertEquals(200, a.status(), path + ": " + a);
            if (path.equals("/metrics")) {
                assertTrue(a.body().startsWith(expectedScrapeStart), "the whole scrape");
            }
            slowest = Math.max(slowest, a.millis());
            if (path.startsWith("/health")) {
                slowestProbe = Math.max(slowestProbe, a.millis());
            }
        }
        return slowest;
    }

    @Test
    void shouldAnswerProbesAndScrapesPromptlyWhileManyClientsStall() throws Exception {
        final String scrape = "# a large scrape\n" + "vigil_x 1\n".repeat(160_000);
        server = VigilHttpServer.start("127.0.0.1", 0, () -> scrape, () -> KafkaStreams.State.RUNNING,
                new RecentAlerts(), new CurrentAggregates(), () -> true);
        final int port = server.port();
        final long before = probeAll(port, "# a large scrape");
        int stalled = 0;
        for (int copy = 0; copy < 15; copy++) {
            for (final Stall how : Stall.values()) {
                stall(port, how);
                stalled++;
            }
            dribble(port);
            neverRead(port);
            stalled += 2;
        }
        Thread.sleep(500);
        slowestProbe = 0;
        final long during = probeAll(port, "# a large scrape");
        System.out.printf("with %d stalled connections (%d kinds): slowest health answer %d ms, slowest of all "
                + "(1.6 MB scrapes included) %d ms; before they connected: %d ms%n", stalled,
                Stall.values().length + 2, slowestProbe, during, before);
        assertTrue(during < PROMPT.toMillis(), "slowest probe took " + during + " ms");
    }

    @Test
    void shouldDropClientsThatDoNotSendTheirRequestInTime() throws Exception {
        server = start("up 1\n", new NonBlockingHttpServer.Limits(Duration.ofMillis(400), Duration.ofMillis(400), 16 * 1024,
                256, Duration.ofMillis(200)));
        final List<Socket> sockets = new ArrayList<>();
        for (final Stall how : Stall.values()) {
            sockets.add(stall(server.port(), how));
        }
        dribble(server.port());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0, server.openConnections(), "every stalled connection was closed");
        for (int i = 0; i < sockets.size(); i++) {
            assertTrue(closedByServer(sockets.get(i)), Stall.values()[i] + " was not closed");
        }
        assertEquals(200, RawHttp.send(server.port(), RawHttp.get("/health/live"), PROMPT).status());
    }

    @Test
    void shouldDropAClientThatNeverReadsItsAnswer() throws Exception {
        final String scrape = "vigil_x 1\n".repeat(1_000_000);
        server = start(scrape, new NonBlockingHttpServer.Limits(Duration.ofSeconds(10), Duration.ofMillis(500), 16 * 1024,
                256, Duration.ofMillis(200)));
        for (int i = 0; i < 5; i++) {
            neverRead(server.port());
        }
        Thread.sleep(300);
        assertEquals(200, RawHttp.send(server.port(), RawHttp.get("/health/live"), PROMPT).status());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0, server.openConnections(), "a client that never reads is dropped after the write timeout");
    }

    @Test
    void shouldAdmitAProbeWhenEveryConnectionSlotIsTakenByIdleClients() throws Exception {
        server = start("up 1\n", new NonBlockingHttpServer.Limits(Duration.ofSeconds(30), Duration.ofSeconds(30), 16 * 1024,
                32, Duration.ofMillis(200)));
        for (int i = 0; i < 100; i++) {
            stall(server.port(), i % 2 == 0 ? Stall.NOTHING_SENT : Stall.HALF_REQUEST_LINE);
        }
        Thread.sleep(300);
        assertTrue(server.openConnections() <= 32, server.openConnections() + " open");
        for (int i = 0; i < 10; i++) {
            final RawHttp.Answer a = RawHttp.send(server.port(), RawHttp.get("/health/live"), PROMPT);
            assertEquals(200, a.status(), a.toString());
        }
    }

    @Test
    void shouldAnswerA431ToAnEndlessHeadInsteadOfWaitingForIt() throws Exception {
        server = start("up 1\n", NonBlockingHttpServer.Limits.defaults());
        final String endless = "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Padding: " + "a".repeat(20_000);
        final RawHttp.Answer a = RawHttp.send(server.port(), endless, Duration.ofSeconds(5));
        assertEquals(431, a.status(), a.toString());
        assertTrue(a.millis() < PROMPT.toMillis(), a.toString());
    }

    @Test
    void shouldAnswerGarbageWith400() throws Exception {
        server = start("up 1\n", NonBlockingHttpServer.Limits.defaults());
        for (final String bad : List.of("\r\n\r\n", "GET\r\n\r\n", "GET /health/live\r\n\r\n", "get /health/live HTTP/1.1\r\n\r\n",
                "GET health/live HTTP/1.1\r\n\r\n", "GET /health/live HTTP/2.0\r\n\r\n", "GET  /health/live HTTP/1.1\r\n\r\n",
                "GET /health/live HTTP/1.1\r\n folded: header\r\n\r\n", "GET /health/live HTTP/1.1\r\nno colon\r\n\r\n",
                "GET /health/live HTTP/1.1\r\n: empty name\r\n\r\n", "GET /he\u0000alth HTTP/1.1\r\n\r\n",
                "\u0016\u0003\u0001\u0000\u0005\n\n")) {
            final RawHttp.Answer a = RawHttp.send(server.port(), bad, Duration.ofSeconds(5));
            assertEquals(400, a.status(), bad.replace("\r", "\\r").replace("\n", "\\n") + ": " + a);
        }
    }

    @Test
    void shouldKeepProbesAnsweringWhileTheScrapeIsStuck() throws Exception {
        final CountDownLatch release = new CountDownLatch(1);
        server = VigilHttpServer.start("127.0.0.1", 0, () -> {
            try {
                release.await();
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "up 1\n";
        }, () -> KafkaStreams.State.RUNNING, new RecentAlerts(), new CurrentAggregates());
        final int port = server.port();
        final List<Future<RawHttp.Answer>> scrapes = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            scrapes.add(threads.submit(() -> RawHttp.send(port, RawHttp.get("/metrics"), Duration.ofSeconds(20))));
        }
        Thread.sleep(500);
        for (int i = 0; i < 10; i++) {
            final RawHttp.Answer a = RawHttp.send(port, RawHttp.get("/health/live"), PROMPT);
            assertEquals(200, a.status(), "probe " + i + " behind stuck scrapes: " + a);
            assertEquals(200, RawHttp.send(port, RawHttp.get("/api/alerts"), PROMPT).status());
        }
        release.countDown();
        int busy = 0;
        int ok = 0;
        for (final Future<RawHttp.Answer> f : scrapes) {
            final int status = f.get(30, TimeUnit.SECONDS).status();
            busy += status == 503 ? 1 : 0;
            ok += status == 200 ? 1 : 0;
        }
        assertEquals(30, busy + ok, "every scrape was answered: 200, or 503 while the scrape pool was full");
        assertTrue(busy >= 30 - VigilHttpServer.SCRAPES.threads() - VigilHttpServer.SCRAPES.queue(), busy + " busy");
    }

    /** Whether the server has closed {@code s}: a read ends (EOF or reset) instead of timing out. */
    private static boolean closedByServer(final Socket s) throws IOException {
        s.setSoTimeout(2000);
        final InputStream in = s.getInputStream();
        try {
            final byte[] buf = new byte[4096];
            while (true) {
                if (in.read(buf) < 0) {
                    return true;
                }
            }
        } catch (final SocketTimeoutException e) {
            return false;
        } catch (final SocketException e) {
            return true;
        }
    }
}
