package dev.shoal.proto;

/**
 * The input rules every service applies to what callers send (bodies, path and query parameters), in one place.
 * Each check answers {@code null} when the value is acceptable, else what is wrong with it (without the field name:
 * the caller names the field as the request spelled it).
 *
 * <ul>
 *   <li>Ids (frame, labeler, annotator, model, version, label set, task, campaign...): 1 to {@value #MAX_ID_BYTES}
 *       UTF-8 bytes; no control character (C0 U+0000-U+001F, DEL U+007F, C1 U+0080-U+009F), no space, no unpaired
 *       surrogate (it cannot be encoded as UTF-8: PostgreSQL would store {@code ?} and two ids could collide).</li>
 *   <li>Text (names, metadata, notes, URIs): at most a given number of UTF-8 bytes, no NUL (PostgreSQL text
 *       cannot hold it), no unpaired surrogate. Other control characters (newline, tab) are allowed in text.</li>
 * </ul>
 */
public final class Inputs {

    private Inputs() {
    }

    /** Ids: 1..256 UTF-8 bytes. */
    public static final int MAX_ID_BYTES = 256;
    /** Names (class names, dataset names, metadata keys, vendor names): up to 1 KiB. */
    public static final int MAX_NAME_BYTES = 1024;
    /** Free text (metadata values, notes, instructions): up to 16 KiB. */
    public static final int MAX_TEXT_BYTES = 16 * 1024;
    /** Data URIs ({@code file}, {@code http(s)}, {@code s3}, {@code gs}, small {@code data:}): up to 64 KiB. */
    public static final int MAX_URI_BYTES = 64 * 1024;

    /** Null when {@code id} is a valid id, else the problem ("is required", "is longer than 256 UTF-8 bytes"...). */
    public static String idProblem(String id) {
        if (id == null || id.isEmpty()) {
            return "is required";
        }
        int bytes = 0;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c <= 0x20 || (c >= 0x7F && c <= 0x9F)) {
                return c == ' ' ? "must not contain a space (at character " + i + ")"
                        : "must not contain the control character " + codePoint(c) + " (at character " + i + ")";
            }
            int n = utf8Length(id, i);
            if (n < 0) {
                return "must not contain an unpaired surrogate " + codePoint(c) + " (at character " + i + "): it is not valid Unicode";
            }
            if (n == 4) {
                i++; // the low surrogate of the pair
            }
            bytes += n;
            if (bytes > MAX_ID_BYTES) {
                return "is longer than " + MAX_ID_BYTES + " UTF-8 bytes";
            }
        }
        return null;
    }

    /** Null when {@code text} (null or empty allowed) has at most {@code maxBytes} UTF-8 bytes, no NUL and no unpaired surrogate. */
    public static String textProblem(String text, int maxBytes) {
        if (text == null) {
            return null;
        }
        if (text.length() > maxBytes) { // every char is at least one UTF-8 byte
            return "is longer than " + maxBytes + " UTF-8 bytes";
        }
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                return "must not contain the NUL character U+0000 (at character " + i + ")";
            }
            int n = utf8Length(text, i);
            if (n < 0) {
                return "must not contain an unpaired surrogate " + codePoint(c) + " (at character " + i + "): it is not valid Unicode";
            }
            if (n == 4) {
                i++;
            }
            bytes += n;
        }
        return bytes > maxBytes ? "is longer than " + maxBytes + " UTF-8 bytes" : null;
    }

    /**
     * Null when a path or query parameter that names something stored (an id, a state, a method) is acceptable:
     * the id rules without the "required" one and with room for longer values ({@value #MAX_NAME_BYTES} bytes).
     */
    public static String parameterProblem(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
                return "must not contain the control character " + codePoint(c) + " (at character " + i + ")";
            }
        }
        return textProblem(value, MAX_NAME_BYTES);
    }

    /**
     * The first problem among request parameters (path or query, decoded), as "{@code name}: problem", or null.
     * Every service's request filter runs this, so a NUL or a control character in a URL gets a 400 naming the
     * parameter instead of reaching the database.
     */
    public static String parametersProblem(java.util.Map<String, ? extends java.util.List<String>> parameters) {
        for (var e : parameters.entrySet()) {
            for (String value : e.getValue()) {
                String p = parameterProblem(value);
                if (p != null) {
                    return abbreviate(e.getKey()) + ": " + p;
                }
            }
        }
        return null;
    }

    /** Shortens a value for an error message (an error must not echo megabytes back); control characters are escaped. */
    public static String abbreviate(String s) {
        return abbreviate(s, 64);
    }

    /** {@link #abbreviate(String)} to at most {@code max} characters (before escaping), for longer messages. */
    public static String abbreviate(String s, int max) {
        if (s == null) {
            return "";
        }
        String cut = s.length() <= max ? s : s.substring(0, max - 3) + "...";
        StringBuilder out = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || Character.isSurrogate(c)) {
                out.append(codePoint(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** UTF-8 length of the character at {@code i} (4 for a surrogate pair, counted at its high half), -1 if unpaired. */
    private static int utf8Length(String s, int i) {
        char c = s.charAt(i);
        if (c < 0x80) {
            return 1;
        }
        if (c < 0x800) {
            return 2;
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)) ? 4 : -1;
        }
        if (Character.isLowSurrogate(c)) {
            return -1;
        }
        return 3;
    }

    private static String codePoint(char c) {
        return String.format("U+%04X", (int) c);
    }
}
