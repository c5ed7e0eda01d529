package dev.shoal.ingest.store;

/**
 * The catalog could not be read or written (the database is down, a constraint failed...). {@link #getMessage()}
 * holds the database's own text, for logs; {@link #publicMessage()} says only what failed, for callers.
 */
public class StoreException extends RuntimeException {
    private final String what;

    public StoreException(String message, Throwable cause) {
        super(message + ": " + cause.getMessage(), cause);
        this.what = message;
    }

    /** What failed, without the database's text (SQL, constraint and column names stay in the log). */
    public String publicMessage() {
        return "the catalog could not be read or written (" + what + "), retry later";
    }
}
