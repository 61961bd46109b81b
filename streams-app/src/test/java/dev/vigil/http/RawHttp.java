package dev.vigil.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** HTTP by hand over a socket, for requests no well-behaved client would send, and with a deadline. */
final class RawHttp {
    /** An answer: status (-1 if none came before the deadline), head, body and how long it took. */
    record Answer(int status, String head, String body, long millis) {
        @Override
        public String toString() {
            return status + " after " + millis + " ms";
        }
    }

    private RawHttp() {
    }

    static String get(final String path, final String... headers) {
        final StringBuilder sb = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: localhost\r\n");
        for (final String h : headers) {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    /** Sends {@code request} and reads the whole answer (the server closes every connection). */
    static Answer send(final int port, final String request, final Duration deadline) throws IOException {
        final long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), (int) deadline.toMillis());
            s.setSoTimeout((int) deadline.toMillis());
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final InputStream in = s.getInputStream();
            final byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    if (System.nanoTime() - start > deadline.toNanos()) {
                        break;
                    }
                }
            } catch (final SocketTimeoutException e) {
                // answered as far as it got
            }
            final long millis = (System.nanoTime() - start) / 1_000_000;
            final String text = out.toString(StandardCharsets.ISO_8859_1);
            final int split = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/1.1 ") || split < 0) {
                return new Answer(-1, text, "", millis);
            }
            return new Answer(Integer.parseInt(text.substring(9, 12)), text.substring(0, split), text.substring(split + 4),
                    millis);
        }
    }
}
