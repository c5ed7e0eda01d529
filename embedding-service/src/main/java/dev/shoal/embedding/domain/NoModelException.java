package dev.shoal.embedding.domain;

import dev.shoal.proto.ingest.v1.Modality;

/**
 * A frame that cannot be embedded because no model for its content is loaded (no image model configured and none
 * trained for its dataset yet). Such frames are recorded and embedded once a model appears.
 */
public class NoModelException extends EmbeddingException {

    private final Modality modality;

    public NoModelException(Modality modality, String reason) {
        super(null, reason);
        this.modality = modality;
    }

    /** The modality of the content no model was there for. */
    public Modality modality() {
        return modality;
    }
}
