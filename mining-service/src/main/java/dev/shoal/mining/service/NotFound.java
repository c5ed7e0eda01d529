package dev.shoal.mining.service;

/** The named resource does not exist (HTTP 404 / NOT_FOUND). */
public class NotFound extends RuntimeException {
    public NotFound(String message) {
        super(message);
    }
}
