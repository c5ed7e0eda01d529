package dev.shoal.ingest.store;

/** The catalog could not be read or written (the database is down, a constraint failed...). */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message + ": " + cause.getMessage(), cause);
    }
}
