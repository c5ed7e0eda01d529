package dev.shoal.embedding.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Everything under {@code shoal.embedding.*} (application.properties, "## Embedding" sections). */
@ConfigMapping(prefix = "shoal.embedding")
public interface EmbeddingConfig {

    /** Micro-batching in front of the models. */
    Batch batch();

    /** How frame content is fetched. */
    Fetch fetch();

    /** The text model (all-MiniLM-L6-v2 from the langchain4j jar). */
    Text text();

    /** The image model the user names (ONNX or TorchScript); disabled when no path is set. */
    Image image();

    /** ONNX Runtime's threads, for every ONNX model (text and image). */
    Onnx onnx();

    /** Training an image model by itself for datasets that have none (AutoTrainingService). */
    AutoTrain autoTrain();

    /**
     * Where the training job keeps the models it trained (one directory per model version); they are loaded again
     * at start, so their model versions keep embedding after a restart.
     */
    @WithDefault("target/models")
    String trainedModelsDir();

    /**
     * Records each consumer loop ({@code FrameUpserted}, {@code EmbeddingSupplied}) lets into the pipeline at once
     * (fetching, waiting for or in the model, being written). Enough to keep every model stream's batches full; more
     * only adds memory and latency.
     */
    @WithDefault("512")
    int maxInFlight();

    /** The poll loops that consume {@code FrameUpserted} and {@code EmbeddingSupplied} (ConsumerLoop). */
    Consumer consumer();

    /** Threads that fetch and decode content in parallel. */
    @WithDefault("4")
    int fetchThreads();

    interface Consumer {
        /** The Kafka consumer group of both loops. */
        @WithDefault("embedding-service")
        String groupId();

        /** How long a poll waits for records while the pipeline has room. */
        @WithDefault("PT0.5S")
        Duration pollTimeout();

        /** How often offsets are taken for a commit (after the store made them durable), and a full pipeline polls. */
        @WithDefault("PT1S")
        Duration housekeeping();

        /**
         * How long shutdown waits for the frames in flight and their durability before it commits; what is not done by
         * then is delivered again after the restart. Inside Kubernetes' default 30 s termination grace period.
         */
        @WithDefault("PT20S")
        Duration closeTimeout();

        /** More Kafka consumer properties for both loops (e.g. {@code max.poll.records}). */
        Map<String, String> properties();
    }

    interface Batch {
        @WithDefault("32")
        int maxSize();

        @WithDefault("PT0.02S")
        Duration maxWait();

        /**
         * Batches each model runs at once, each on its own predictor of the one loaded model. With more than one,
         * ONNX Runtime's intra-op threads default to cores / streams, so the streams together use every core.
         */
        @WithDefault("1")
        int streams();
    }

    interface Fetch {
        /** Largest accepted content, in bytes. */
        @WithDefault("16777216")
        long maxBytes();

        @WithDefault("PT5S")
        Duration connectTimeout();

        @WithDefault("PT20S")
        Duration readTimeout();

        /** Allow http(s) to loopback addresses (127.0.0.0/8, ::1). Off by default (SSRF). */
        @WithDefault("false")
        boolean allowLoopback();

        /** Allow http(s) to private (RFC 1918 / ULA) addresses. Off by default. */
        @WithDefault("false")
        boolean allowPrivate();

        /** Allow http(s) to link-local addresses, which include cloud metadata (169.254.169.254). Off by default. */
        @WithDefault("false")
        boolean allowLinkLocal();

        /** Extra host names or literal IPs always refused. */
        Optional<List<String>> deniedHosts();

        /**
         * Directories {@code file:} URIs may name: a file is read only when its path, and its real path after links
         * are followed, lie under one of them, and only when it is a regular file. None (the default) = every
         * {@code file:} URI is refused.
         */
        Optional<List<String>> fileRoots();
    }

    /**
     * When no image model is configured, a dataset with image frames gets a training job started by the service once
     * its label set with the most labeled image frames holds {@link #minLabeledFrames()} of them in
     * {@link #minClasses()} classes. At most one such job per dataset and label set, unless that label set has grown
     * to {@link #retrainGrowth()} times the labeled frames the last one trained on; never two for a dataset within
     * {@link #cooldown()}; a failed one is tried again after the cooldown.
     */
    interface AutoTrain {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("200")
        int minLabeledFrames();

        @WithDefault("2")
        int minClasses();

        /** How many times the labeled frames of the last auto-training a label set must reach to train again. */
        @WithDefault("2.0")
        double retrainGrowth();

        /** The least time between two auto-started jobs of one dataset (and before a failed one is tried again). */
        @WithDefault("PT1H")
        Duration cooldown();

        /** How often datasets whose labels or failures changed are looked at. */
        @WithDefault("PT10S")
        Duration checkInterval();

        /** Training epochs of an auto-started job; empty = the training job's default. */
        Optional<Integer> epochs();
    }

    interface Onnx {
        /** Intra-op threads per model; 0 = ONNX Runtime's default (one per physical core). */
        @WithDefault("0")
        int intraOpThreads();

        /** Inter-op threads per model; 0 = ONNX Runtime's default. */
        @WithDefault("0")
        int interOpThreads();

        /** Whether idle ONNX Runtime pool threads spin-wait for work (ORT's default) instead of sleeping. */
        @WithDefault("true")
        boolean allowSpinning();
    }

    interface Text {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("all-minilm-l6-v2")
        String modelId();

        @WithDefault("1")
        String modelVersion();

        /** onnxruntime (CPU, default) or tensorrt (GPU). */
        @WithDefault("onnxruntime")
        String engine();

        /** cpu or gpu. */
        @WithDefault("cpu")
        String device();

        @WithDefault("256")
        int maxLength();
    }

    interface Image {
        /** Path or URL of an ONNX (.onnx) or TorchScript (.pt) model; empty = no image model. */
        Optional<String> model();

        @WithDefault("image-model")
        String modelId();

        @WithDefault("1")
        String modelVersion();

        /** onnxruntime, pytorch or tensorrt. Default: from the model file's extension. */
        Optional<String> engine();

        @WithDefault("cpu")
        String device();

        @WithDefault("224")
        int width();

        @WithDefault("224")
        int height();

        /** RGB or BGR. */
        @WithDefault("RGB")
        String channelOrder();

        /** Per-channel mean, in the channel order, after scaling pixels to [0, 1]. */
        @WithDefault("0.485,0.456,0.406")
        List<Float> mean();

        @WithDefault("0.229,0.224,0.225")
        List<Float> std();

        /** Name of the output tensor to use as the embedding; empty = the first output. */
        Optional<String> output();

        /** L2-normalise the output vector. */
        @WithDefault("true")
        boolean normalize();
    }
}
