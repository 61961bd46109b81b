package dev.vigil.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP/1.1 server for a handful of GET endpoints, built so that no client can hold it up.
 *
 * <p>One selector thread does all socket I/O, non-blocking: it reads a request's head (request
 * line and headers, at most {@link Limits#maxHeadBytes()}, within {@link Limits#headTimeout()} of
 * the connection opening) and writes the response (within {@link Limits#writeTimeout()}). A
 * handler runs on a worker only once its request has fully arrived, and a worker never touches a
 * socket, so a client that connects and sends nothing, dribbles a request byte by byte, or never
 * reads its answer costs a connection slot and a few bytes, not a thread. Each route names a
 * lane (a bounded pool with a bounded queue); a full lane answers 503 at once, and a slow handler
 * in one lane (a large scrape) cannot delay another (the health probes). At
 * {@link Limits#maxConnections()} the oldest connection not being served is closed to admit a
 * new one, so a pile of idle connections cannot lock a probe out.
 *
 * <p>Every response closes its connection ({@code Connection: close}): probes and scrapes open a
 * connection per request anyway, and no state survives between requests. Request bodies are not
 * read; the endpoints take none.
 */
final class NonBlockingHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NonBlockingHttpServer.class);

    /**
     * What a client may cost.
     *
     * @param headTimeout    from accepting a connection to having its whole request head
     * @param writeTimeout   from the response being ready to its last byte being taken by the client
     * @param maxHeadBytes   the longest request line and headers accepted (431 beyond)
     * @param maxConnections open connections; past it the oldest one not being served is closed
     * @param lingerTimeout  how long a closed exchange drains what the client still sends, so it
     *                       reads the answer rather than a reset
     */
    record Limits(Duration headTimeout, Duration writeTimeout, int maxHeadBytes, int maxConnections,
                  Duration lingerTimeout) {
        static Limits defaults() {
            return new Limits(Duration.ofSeconds(10), Duration.ofSeconds(30), 16 * 1024, 256, Duration.ofSeconds(2));
        }
    }

    /** A request head. Header names are lower case; a name given twice has two values. */
    record Request(String method, String path, String query, Map<String, List<String>> headers) {
        List<String> header(final String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }
    }

    /** A whole response: status, content type, body and any further headers. */
    record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Response text(final int status, final String body) {
            return new Response(status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8), Map.of());
        }

        Response with(final String header, final String value) {
            final Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(header, value);
            return new Response(status, contentType, body, h);
        }
    }

    interface Handler {
        Response handle(Request request) throws Exception;
    }

    /** A bounded pool: {@code threads} workers and at most {@code queue} requests waiting. */
    record Lane(String name, int threads, int queue) {
    }

    private record Route(Lane lane, Handler handler) {
    }

    private enum State { READING, SERVING, WRITING, LINGERING }

    private static final class Connection {
        final SocketChannel channel;
        final SelectionKey key;
        State state = State.READING;
        long deadline;
        byte[] head = new byte[1024];
        int length;
        ByteBuffer out;
        long drained;

        Connection(final SocketChannel channel, final SelectionKey key) {
            this.channel = channel;
            this.key = key;
        }
    }

    private record Done(Connection connection, Response response, boolean head) {
    }

    /** Most connections accepted per turn of the loop, so reads are served between accepts. */
    private static final int ACCEPTS_PER_TURN = 32;
    /** Most bytes drained from a client after its answer before the connection is dropped anyway. */
    private static final long MAX_DRAIN_BYTES = 64 * 1024;

    private final Limits limits;
    private final Map<String, Route> routes;
    private final Map<Lane, ThreadPoolExecutor> lanes = new LinkedHashMap<>();
    private final ServerSocketChannel server;
    private final Selector selector;
    /** Open connections in the order they were accepted: the first is the oldest. */
    private final Set<Connection> connections = new LinkedHashSet<>();
    private final ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
    private final ByteBuffer readBuffer;
    private final Thread loop;
    private volatile boolean running = true;

    private NonBlockingHttpServer(final InetSocketAddress address, final Map<String, Route> routes, final Limits limits,
                                  final String threadName) throws IOException {
        this.limits = limits;
        this.routes = routes;
        this.readBuffer = ByteBuffer.allocate(Math.max(4096, limits.maxHeadBytes() + 1));
        for (final Route r : routes.values()) {
            lanes.computeIfAbsent(r.lane(), lane -> pool(threadName, lane));
        }
        selector = Selector.open();
        server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(address, 128);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (final IOException e) {
            server.close();
            selector.close();
            lanes.values().forEach(ThreadPoolExecutor::shutdownNow);
            throw e;
        }
        loop = new Thread(this::run, threadName + "-io");
        loop.setDaemon(true);
        loop.start();
    }

    /** Routes by exact path; the lane of each says which pool runs it. */
    static final class Builder {
        private final Map<String, Route> routes = new LinkedHashMap<>();

        Builder route(final String path, final Lane lane, final Handler handler) {
            routes.put(path, new Route(lane, handler));
            return this;
        }

        NonBlockingHttpServer start(final InetSocketAddress address, final Limits limits, final String threadName)
                throws IOException {
            return new NonBlockingHttpServer(address, Map.copyOf(routes), limits, threadName);
        }
    }

    static Builder builder() {
        return new Builder();
    }

    int port() {
        return ((InetSocketAddress) server.socket().getLocalSocketAddress()).getPort();
    }

    /** Open connections (for tests). */
    int openConnections() {
        synchronized (connections) {
            return connections.size();
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            loop.join(5_000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lanes.values().forEach(ThreadPoolExecutor::shutdownNow);
    }

    private static ThreadPoolExecutor pool(final String threadName, final Lane lane) {
        final AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(lane.threads(), lane.threads(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(lane.queue()), r -> {
                    final Thread t = new Thread(r, threadName + "-" + lane.name() + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    private void run() {
        try {
            while (running) {
                selector.select(nextWait());
                if (!running) {
                    break;
                }
                try {
                    turn();
                } catch (final RuntimeException e) {
                    // A bug in one exchange must not take the probes down with it.
                    LOG.warn("HTTP server loop: {}", e.getClass().getName());
                }
            }
        } catch (final IOException | RuntimeException e) {
            LOG.error("HTTP server loop stopped: {}", e.getClass().getName());
        } finally {
            synchronized (connections) {
                for (final Connection c : new ArrayList<>(connections)) {
                    close(c);
                }
            }
            try {
                server.close();
                selector.close();
            } catch (final IOException ignored) {
                // closing anyway
            }
        }
    }

    /** One turn of the loop: finished answers out, new connections in, bytes read and written, the late dropped. */
    private void turn() {
        Done d;
        while ((d = done.poll()) != null) {
            respond(d.connection(), d.response(), d.head());
        }
        final Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            final SelectionKey key = keys.next();
            keys.remove();
            if (!key.isValid()) {
                continue;
            }
            if (key.isAcceptable()) {
                accept();
                continue;
            }
            final Connection c = (Connection) key.attachment();
            try {
                if (key.isReadable()) {
                    readable(c);
                }
                if (key.isValid() && key.isWritable()) {
                    writable(c);
                }
            } catch (final IOException | RuntimeException e) {
                close(c);
            }
        }
        expire();
    }

    /** Until the nearest deadline, at most a second, at least a millisecond. */
    private long nextWait() {
        long next = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        synchronized (connections) {
            for (final Connection c : connections) {
                if (c.state != State.SERVING) {
                    next = Math.min(next, c.deadline);
                }
            }
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime()) + 1);
    }

    private void accept() {
        for (int i = 0; i < ACCEPTS_PER_TURN; i++) {
            final SocketChannel channel;
            try {
                channel = server.accept();
            } catch (final IOException e) {
                // Out of file descriptors, most likely: free one, or the pending connection would
                // wake the loop again and again.
                LOG.debug("accept failed: {}", e.getClass().getName());
                synchronized (connections) {
                    evictOldest();
                }
                return;
            }
            if (channel == null) {
                return;
            }
            synchronized (connections) {
                if (connections.size() >= limits.maxConnections() && !evictOldest()) {
                    closeQuietly(channel);
                    continue;
                }
            }
            final SelectionKey key;
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                key = channel.register(selector, SelectionKey.OP_READ);
            } catch (final IOException e) {
                closeQuietly(channel);
                continue;
            }
            final Connection c = new Connection(channel, key);
            c.deadline = System.nanoTime() + limits.headTimeout().toNanos();
            key.attach(c);
            synchronized (connections) {
                connections.add(c);
            }
        }
    }

    /** Closes the oldest connection that is not being served; false if every one is. */
    private boolean evictOldest() {
        for (final Connection c : connections) {
            if (c.state != State.SERVING) {
                close(c);
                return true;
            }
        }
        return false;
    }

    private void readable(final Connection c) throws IOException {
        if (c.state == State.LINGERING) {
            readBuffer.clear();
            final int n = c.channel.read(readBuffer);
            c.drained += Math.max(0, n);
            if (n < 0 || c.drained > MAX_DRAIN_BYTES) {
                close(c);
            }
            return;
        }
        if (c.state != State.READING) {
            return;
        }
        readBuffer.clear();
        readBuffer.limit(limits.maxHeadBytes() - c.length + 1);
        final int n = c.channel.read(readBuffer);
        if (n < 0) {
            // The client gave up (or half-closed) before its request was whole.
            close(c);
            return;
        }
        if (n == 0) {
            return;
        }
        final int from = Math.max(0, c.length - 3);
        if (c.length + n > c.head.length) {
            c.head = java.util.Arrays.copyOf(c.head, Math.max(c.head.length * 2, c.length + n));
        }
        readBuffer.flip();
        readBuffer.get(c.head, c.length, n);
        c.length += n;
        final int end = endOfHead(c.head, from, c.length);
        if (end < 0) {
            if (c.length > limits.maxHeadBytes()) {
                respond(c, Response.text(431, "request header fields too large\n"), false);
            }
            return;
        }
        dispatch(c, end);
    }

    /** The index just past the blank line ending the head ({@code \r\n\r\n} or {@code \n\n}), or -1. */
    static int endOfHead(final byte[] b, final int from, final int length) {
        for (int i = from; i < length; i++) {
            if (b[i] != '\n') {
                continue;
            }
            if (i + 1 < length && b[i + 1] == '\n') {
                return i + 2;
            }
            if (i + 2 < length && b[i + 1] == '\r' && b[i + 2] == '\n') {
                return i + 3;
            }
        }
        return -1;
    }

    private void dispatch(final Connection c, final int end) {
        final Request request = parse(c.head, end);
        c.head = null;
        if (request == null) {
            respond(c, Response.text(400, "bad request\n"), false);
            return;
        }
        final boolean head = "HEAD".equals(request.method());
        final Route route = routes.get(request.path());
        if (route == null) {
            respond(c, Response.text(404, "not found\n"), head);
            return;
        }
        c.state = State.SERVING;
        c.key.interestOps(0);
        try {
            lanes.get(route.lane()).execute(() -> {
                Response r;
                try {
                    r = route.handler().handle(request);
                } catch (final Exception | Error e) {
                    // The error class only: messages of downstream exceptions could carry data.
                    LOG.warn("HTTP handler for {} failed: {}", request.path(), e.getClass().getName());
                    r = Response.text(500, "internal error\n");
                }
                done.add(new Done(c, r, head));
                selector.wakeup();
            });
        } catch (final RejectedExecutionException e) {
            respond(c, Response.text(503, "busy\n").with("Retry-After", "1"), head);
        }
    }

    /** The request line and headers, or null if they are not HTTP/1.x as this server reads it. */
    static Request parse(final byte[] bytes, final int end) {
        final String text = new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
        final String[] lines = text.split("\r?\n");
        if (lines.length == 0) {
            return null;
        }
        final String[] first = lines[0].split(" ", -1);
        if (first.length != 3 || !first[0].matches("[A-Z]{1,16}") || !first[2].matches("HTTP/1\\.[01]")
                || !first[1].startsWith("/") || !first[1].chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
            return null;
        }
        final int q = first[1].indexOf('?');
        final String path = q < 0 ? first[1] : first[1].substring(0, q);
        final String query = q < 0 ? null : first[1].substring(q + 1);
        final Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            final String line = lines[i];
            final int colon = line.indexOf(':');
            if (colon <= 0 || !line.substring(0, colon).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                return null;
            }
            headers.computeIfAbsent(line.substring(0, colon).toLowerCase(Locale.ROOT), k -> new ArrayList<>(1))
                    .add(line.substring(colon + 1).strip());
        }
        headers.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return new Request(first[0], path, query, Collections.unmodifiableMap(headers));
    }

    private void respond(final Connection c, final Response r, final boolean head) {
        if (!c.channel.isOpen()) {
            return;
        }
        final StringBuilder sb = new StringBuilder(256);
        sb.append("HTTP/1.1 ").append(r.status()).append(' ').append(reason(r.status())).append("\r\n");
        sb.append("Content-Type: ").append(r.contentType()).append("\r\n");
        sb.append("Content-Length: ").append(r.body().length).append("\r\n");
        sb.append("Cache-Control: no-store\r\n");
        sb.append("X-Content-Type-Options: nosniff\r\n");
        r.headers().forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
        sb.append("Connection: close\r\n\r\n");
        final byte[] top = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        final ByteBuffer out = ByteBuffer.allocate(top.length + (head ? 0 : r.body().length));
        out.put(top);
        if (!head) {
            out.put(r.body());
        }
        out.flip();
        c.head = null;
        c.out = out;
        c.state = State.WRITING;
        c.deadline = System.nanoTime() + limits.writeTimeout().toNanos();
        try {
            c.key.interestOps(SelectionKey.OP_WRITE);
            writable(c);
        } catch (final IOException | RuntimeException e) {
            close(c);
        }
    }

    private void writable(final Connection c) throws IOException {
        if (c.state != State.WRITING) {
            return;
        }
        c.channel.write(c.out);
        if (c.out.hasRemaining()) {
            return;
        }
        // Answered: say so with a FIN, then drain what the client still sends for a moment, so
        // that it reads the answer instead of a reset.
        c.out = null;
        c.channel.shutdownOutput();
        c.state = State.LINGERING;
        c.deadline = System.nanoTime() + limits.lingerTimeout().toNanos();
        c.key.interestOps(SelectionKey.OP_READ);
    }

    private void expire() {
        final long now = System.nanoTime();
        synchronized (connections) {
            for (final Connection c : new ArrayList<>(connections)) {
                if (c.state != State.SERVING && now - c.deadline > 0) {
                    close(c);
                }
            }
        }
    }

    private void close(final Connection c) {
        synchronized (connections) {
            connections.remove(c);
        }
        c.key.cancel();
        closeQuietly(c.channel);
    }

    private static void closeQuietly(final SocketChannel channel) {
        try {
            channel.close();
        } catch (final IOException ignored) {
            // gone either way
        }
    }

    private static String reason(final int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }
}
