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

    /** Throws a BadRequest naming {@code field} when {@code problem} (from {@link dev.shoal.proto.Inputs}) is not null. */
    public static void when(String field, String problem) {
        if (problem != null) {
            throw new BadRequest(field, field + " " + problem);
        }
    }

    /** An optional id: absent or empty is fine, else the id rules of {@link dev.shoal.proto.Inputs#idProblem}. */
    public static void optionalId(String field, String value) {
        if (value != null && !value.isEmpty()) {
            when(field, dev.shoal.proto.Inputs.idProblem(value));
        }
    }
}
