package dev.shoal.embedding.search;

/** A search that cannot be answered; {@link Reason} says how the APIs report it. The message names the field. */
public class SearchException extends RuntimeException {

    public enum Reason {
        /** Bad input: HTTP 400, gRPC INVALID_ARGUMENT. */
        INVALID,
        /** An unknown frame: HTTP 404, gRPC NOT_FOUND. */
        NOT_FOUND,
        /** The text model is not loaded: HTTP 503, gRPC UNAVAILABLE. */
        UNAVAILABLE
    }

    private final Reason reason;
    private final String field;

    public SearchException(Reason reason, String field, String message) {
        super(message);
        this.reason = reason;
        this.field = field;
    }

    public static SearchException invalid(String field, String message) {
        return new SearchException(Reason.INVALID, field, field + ": " + message);
    }

    public Reason reason() {
        return reason;
    }

    /** The request field at fault (e.g. {@code k}, {@code vector}, {@code frame_ids[2]}). */
    public String field() {
        return field;
    }
}
