package dev.shoal.embedding.domain;

/** A frame that cannot be embedded; the message is the reason published in {@code EmbeddingFailed}. */
public class EmbeddingException extends RuntimeException {

    private final String uri;

    public EmbeddingException(String uri, String reason) {
        super(reason);
        this.uri = uri;
    }

    public EmbeddingException(String uri, String reason, Throwable cause) {
        super(reason, cause);
        this.uri = uri;
    }

    /** The URI the failure is about, or null. */
    public String uri() {
        return uri;
    }
}
