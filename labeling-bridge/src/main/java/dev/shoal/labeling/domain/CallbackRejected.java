package dev.shoal.labeling.domain;

/** A vendor callback refused before anything was stored: the HTTP status and why. */
public class CallbackRejected extends RuntimeException {
    private final int status;

    public CallbackRejected(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
