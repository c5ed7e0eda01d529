package dev.shoal.ingest.service;

/**
 * The request as a whole is invalid (empty, too large, bad definition, an unknown field): HTTP 400 /
 * INVALID_ARGUMENT. {@code field} names the offending field as the caller spelled it, when there is one.
 */
public class InvalidRequestException extends RuntimeException {

    private final String field;

    public InvalidRequestException(String message) {
        this(null, message);
    }

    public InvalidRequestException(String field, String message) {
        super(field == null ? message : field + ": " + message);
        this.field = field;
    }

    /** The field at fault, or null when the request as a whole is. */
    public String field() {
        return field;
    }
}
