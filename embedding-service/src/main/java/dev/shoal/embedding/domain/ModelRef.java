package dev.shoal.embedding.domain;

/**
 * A model and its version. In the vector store the model travels in the {@code modelVersion} field as
 * {@link #storeVersion()} = {@code modelId@version}, so the row key is {@code frameId:modelId@version}.
 */
public record ModelRef(String modelId, String version) {

    public ModelRef {
        if (modelId == null || modelId.isBlank() || version == null || version.isBlank()) {
            throw new IllegalArgumentException("model id and version are required, got '" + modelId + "' / '" + version + "'");
        }
    }

    public String storeVersion() {
        return modelId + "@" + version;
    }

    public static ModelRef parse(String storeVersion) {
        int at = storeVersion.lastIndexOf('@');
        if (at <= 0 || at == storeVersion.length() - 1) {
            throw new IllegalArgumentException("expected modelId@version, was '" + storeVersion + "'");
        }
        return new ModelRef(storeVersion.substring(0, at), storeVersion.substring(at + 1));
    }

    @Override
    public String toString() {
        return storeVersion();
    }
}
