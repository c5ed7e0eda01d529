package dev.shoal.ingest.service;

/** The entity exists with another definition: HTTP 409 / ALREADY_EXISTS. */
public class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
