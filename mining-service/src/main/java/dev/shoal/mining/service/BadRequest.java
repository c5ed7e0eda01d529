package dev.shoal.mining.service;

/** Input that cannot be served; {@code field} names the offending request field (HTTP 400 / INVALID_ARGUMENT). */
public class BadRequest extends RuntimeException {
    private final String field;

    public BadRequest(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
