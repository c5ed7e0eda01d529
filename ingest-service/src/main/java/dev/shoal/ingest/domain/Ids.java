package dev.shoal.ingest.domain;

import dev.shoal.proto.Inputs;

import java.util.regex.Pattern;

/** Identifier rules shared by every entity. */
public final class Ids {
    private Ids() {
    }

    /** Dataset ids are also used in URLs and topic keys: a conservative alphabet. */
    public static final Pattern DATASET_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    /**
     * Frame, labeler, label-set and model ids: {@link Inputs#idProblem} (1..256 UTF-8 bytes, printable, no space,
     * valid Unicode). The pattern only names the rule; the check is {@link Inputs#idProblem}, which counts bytes.
     */
    public static final Pattern ENTITY_ID = Pattern.compile("[^\\s\\p{Cntrl}\\x80-\\x9F]{1,256}");

    /**
     * Null when the id is valid, else what is wrong with it. The two patterns above are checked by a character
     * loop (this runs for every row of every batch; the regex engine was a visible share of ingest CPU); any
     * other pattern goes through the regex.
     */
    public static String problem(String id, Pattern pattern) {
        if (pattern == ENTITY_ID) {
            return Inputs.idProblem(id);
        }
        if (id == null || id.isEmpty()) {
            return "is required";
        }
        boolean ok = pattern == DATASET_ID ? isDatasetId(id) : pattern.matcher(id).matches();
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

    public static String abbreviate(String s) {
        return Inputs.abbreviate(s);
    }
}
