package dev.vigil.alert.route;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Makes alert fields safe to hand to an incident tool. Every string of an alert can carry what a
 * producer put into its input (account and conversation ids, model and language labels, ...), so
 * each one is treated as hostile wherever it is interpolated:
 *
 * <ul>
 *   <li>{@link #clean}: control characters (C0, C1, DEL, line and paragraph separators) become a
 *       space, invisible format characters (bidi overrides and isolates, zero-width spaces, tag
 *       characters, ...) are removed, lone surrogates become U+FFFD, and the result is cut to a
 *       bound, on a code point boundary;</li>
 *   <li>{@link #slack}: {@link #clean}, then Slack's three control characters {@code & < >}
 *       as HTML entities, so no {@code <!channel>}, {@code <@user>} or {@code <url|label>} can be
 *       formed, and no backtick, so no code span can hide what follows;</li>
 *   <li>{@link #key}: a dedup key a tool and an HTTP header accept (printable ASCII, bounded),
 *       unchanged when it already is one, otherwise a readable prefix and a hash of the whole
 *       key, so distinct keys stay distinct and the same key always maps to the same value;</li>
 *   <li>{@link #url}: a link only when it is a plain http(s) URL.</li>
 * </ul>
 * JSON bodies are always written by Jackson ({@link AlertJson#write}), never by concatenation.
 */
final class ToolText {
    static final String ELLIPSIS = "…";
    /** Hex digits of the SHA-256 kept in a shortened key: 128 bits. */
    private static final int HASH_HEX = 32;
    private static final int MAX_URL = 2048;

    private ToolText() {
    }

    /** {@code s} without control or invisible format characters, at most {@code max} code points. */
    static String clean(final String s, final int max) {
        if (s == null) {
            return "";
        }
        final StringBuilder out = new StringBuilder(Math.min(s.length(), max + 1));
        int kept = 0;
        boolean cut = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp <= 0xFFFF && Character.isSurrogate((char) cp)) {
                cp = 0xFFFD;
            }
            if (isControl(cp)) {
                cp = ' ';
            } else if (isInvisible(cp)) {
                continue;
            }
            if (kept == max) {
                cut = true;
                break;
            }
            out.appendCodePoint(cp);
            kept++;
        }
        if (cut && max > 0) {
            // Replace the last kept code point by the ellipsis, so the bound holds.
            final int last = out.offsetByCodePoints(out.length(), -1);
            out.setLength(last);
            out.append(ELLIPSIS);
        }
        return out.toString();
    }

    /**
     * {@link #clean}ed, then with {@code &}, {@code <} and {@code >} escaped for Slack mrkdwn, at
     * most {@code max} characters once escaped (an entity is never cut in half). Backticks become
     * a modifier letter grave accent (U+02CB), which looks alike: a stray one would open a code
     * span that swallows the rest of the message, Vigil's runbook link included.
     */
    static String slack(final String s, final int max) {
        return boundedEscape(clean(s, max).replace('`', '\u02CB'), max);
    }

    /** A Slack link to {@code url} (already checked by {@link #url}) with a fixed label. */
    static String slackLink(final String url, final String label) {
        return "<" + escapeSlack(url) + "|" + label + ">";
    }

    private static String boundedEscape(final String cleaned, final int max) {
        final String escaped = escapeSlack(cleaned);
        if (escaped.length() <= max) {
            return escaped;
        }
        final StringBuilder out = new StringBuilder(max);
        for (int i = 0; i < cleaned.length(); ) {
            final int cp = cleaned.codePointAt(i);
            i += Character.charCount(cp);
            final String piece = escapeSlack(new String(Character.toChars(cp)));
            if (out.length() + piece.length() > max - ELLIPSIS.length()) {
                break;
            }
            out.append(piece);
        }
        return out.append(ELLIPSIS).toString();
    }

    /** Slack's escaping: only these three characters are control characters in its text. */
    static String escapeSlack(final String s) {
        final StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * A dedup key every tool takes as it is: printable ASCII (so it is also a valid HTTP header
     * value) of at most {@code max} characters. A key that already is one is returned unchanged,
     * so the keys Vigil generates reach the tools as they are; any other key becomes its
     * printable ASCII characters, cut, then {@code ~} and 128 bits of its SHA-256.
     */
    static String key(final String key, final int max) {
        final String k = key == null ? "" : key;
        if (k.length() <= max && isPrintableAscii(k)) {
            return k;
        }
        final String hash = sha256Hex(k).substring(0, HASH_HEX);
        final StringBuilder prefix = new StringBuilder();
        final int room = Math.max(0, max - HASH_HEX - 1);
        for (int i = 0; i < k.length() && prefix.length() < room; i++) {
            final char c = k.charAt(i);
            if (c >= 0x20 && c < 0x7F) {
                prefix.append(c);
            }
        }
        return prefix + "~" + hash;
    }

    /**
     * {@code url} when it is an absolute http(s) URL with a host, of reasonable length and with
     * no character that could end or relabel a Slack link ({@code < > |}), quote or whitespace;
     * otherwise null, and no link is sent.
     */
    static String url(final String url) {
        if (url == null || url.isEmpty() || url.length() > MAX_URL || !isPrintableAscii(url)) {
            return null;
        }
        for (int i = 0; i < url.length(); i++) {
            final char c = url.charAt(i);
            if (c == ' ' || c == '<' || c == '>' || c == '|' || c == '"' || c == '\\' || c == '`') {
                return null;
            }
        }
        try {
            final URI uri = new URI(url);
            final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null || uri.getUserInfo() != null) {
                return null;
            }
        } catch (final URISyntaxException e) {
            return null;
        }
        return url;
    }

    private static boolean isPrintableAscii(final String s) {
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7F) {
                return false;
            }
        }
        return true;
    }

    /** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
    static boolean isControl(final int cp) {
        return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
    }

    /**
     * Characters that change how text around them is shown without being seen: bidi embeddings,
     * overrides and isolates (U+202A-U+202E, U+2066-U+2069), marks (U+200E, U+200F, U+061C),
     * zero-width spaces, tag characters and every other format character (Unicode category Cf),
     * plus noncharacters. The zero-width joiner stays: emoji sequences need it.
     */
    static boolean isInvisible(final int cp) {
        if (cp == 0x200D) {
            return false;
        }
        return Character.getType(cp) == Character.FORMAT
                || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
    }

    private static String sha256Hex(final String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
