package dev.shoal.ingest.domain;

import java.util.regex.Pattern;

/** Identifier rules shared by every entity. */
public final class Ids {
    private Ids() {
    }

    /** Dataset ids are also used in URLs and topic keys: a conservative alphabet. */
    public static final Pattern DATASET_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    /** Frame, labeler and model ids: anything printable without whitespace, up to 512 characters. */
    public static final Pattern ENTITY_ID = Pattern.compile("[^\\s\\p{Cntrl}]{1,512}");

    /**
     * Null when the id is valid, else what is wrong with it. The two patterns above are checked by a character
     * loop (this runs for every row of every batch; the regex engine was a visible share of ingest CPU); any
     * other pattern goes through the regex.
     */
    public static String problem(String id, Pattern pattern) {
        if (id == null || id.isEmpty()) {
            return "is required";
        }
        boolean ok;
        if (pattern == DATASET_ID) {
            ok = isDatasetId(id);
        } else if (pattern == ENTITY_ID) {
            ok = isEntityId(id);
        } else {
            ok = pattern.matcher(id).matches();
        }
        return ok ? null : "'" + abbreviate(id) + "' must match " + pattern.pattern();
    }

    private static boolean isDatasetId(String id) {
        if (id.length() > 128) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Same as [^\s\p{Cntrl}]{1,512}: no ASCII whitespace (\s without UNICODE_CHARACTER_CLASS), no control char. */
    private static boolean isEntityId(String id) {
        if (id.length() > 512 && id.codePointCount(0, id.length()) > 512) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c <= 0x20 || c == 0x7F) { // controls 0x00-0x1F, space, DEL; \s adds only \x0B (a control too)
                return false;
            }
        }
        return true;
    }

    public static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
