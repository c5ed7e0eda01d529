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

    /** Null when the id is valid, else what is wrong with it. */
    public static String problem(String id, Pattern pattern) {
        if (id == null || id.isEmpty()) {
            return "is required";
        }
        if (!pattern.matcher(id).matches()) {
            return "'" + abbreviate(id) + "' must match " + pattern.pattern();
        }
        return null;
    }

    public static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
