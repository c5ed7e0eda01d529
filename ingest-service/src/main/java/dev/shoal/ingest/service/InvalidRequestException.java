package dev.shoal.ingest.service;

/** The request as a whole is invalid (empty, too large, bad definition): HTTP 400 / INVALID_ARGUMENT. */
public class InvalidRequestException extends RuntimeException {
    public InvalidRequestException(String message) {
        super(message);
    }
}
