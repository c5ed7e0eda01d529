package dev.shoal.labeling.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Everything under {@code labeling.*} in application.properties. Secrets come from environment variables. */
@ConfigMapping(prefix = "labeling")
public interface LabelingConfig {

    /** The vendor a campaign with an empty {@code vendor} field goes to. */
    @WithDefault("default")
    String defaultVendor();

    /** Vendor configurations by name; a campaign names one in {@code LabelingRequested.vendor}. */
    Map<String, Vendor> vendors();

    /** Base URL vendors call back (e.g. https://shoal.example.com); empty = http://127.0.0.1:&lt;http port&gt;. */
    Optional<String> publicUrl();

    /** Frames per vendor task. */
    @WithDefault("50")
    int taskSize();

    Dispatch dispatch();

    Callback callback();

    Qa qa();

    Retrain retrain();

    Publish publish();

    interface Vendor {
        /** webhook, label-studio or scale. */
        VendorType type();

        /** webhook: the task URL; label-studio: the server base URL; scale: the task-creation URL. */
        Optional<String> url();

        /** webhook: HMAC-SHA256 shared secret (signs tasks we send and verifies callbacks). */
        Optional<String> secret();

        /** label-studio: API token ({@code Authorization: Token ...}); scale: API key (HTTP basic user). */
        Optional<String> token();

        /** label-studio: project id to import into. */
        Optional<String> projectId();

        /** label-studio / scale: the secret the vendor sends back in its callback header. */
        Optional<String> callbackToken();
    }

    enum VendorType {
        WEBHOOK,
        LABEL_STUDIO,
        SCALE;
    }

    interface Dispatch {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("500ms")
        Duration pollInterval();

        @WithDefault("20")
        int batchSize();

        @WithDefault("2s")
        Duration connectTimeout();

        @WithDefault("10s")
        Duration requestTimeout();

        /** Attempts before a delivery ends in {@code failed}. */
        @WithDefault("10")
        int maxAttempts();

        @WithDefault("1s")
        Duration initialBackoff();

        @WithDefault("5m")
        Duration maxBackoff();

        /** How long a claimed delivery stays invisible to other dispatchers (a crashed one's rows come back after it). */
        @WithDefault("60s")
        Duration lease();
    }

    interface Callback {
        /** Signed callbacks whose timestamp is further than this from now are refused (401). */
        @WithDefault("300s")
        Duration replayWindow();
    }

    interface Qa {
        /** Dawid-Skene replaces majority vote once at least this many frames have two or more answers. */
        @WithDefault("10")
        int dawidSkeneMinOverlap();

        /** Annotators scoring below this on gold frames have their labels rejected (0 = keep everyone). */
        @WithDefault("0")
        double minGoldAccuracy();
    }

    interface Retrain {
        /** Policy for datasets without their own entry. */
        Policy defaults();

        /** Per-dataset policies, by dataset id. */
        Map<String, Policy> datasets();
    }

    interface Policy {
        /** Request retraining whenever a campaign of the dataset completes. */
        @WithDefault("true")
        boolean onCampaignCompleted();

        /** Request retraining once this many accepted labels have accumulated (0 = off). */
        @WithDefault("0")
        int correctedLabels();

        /** Optional training-system webhook, POSTed signed like vendor tasks. */
        Optional<String> webhookUrl();

        Optional<String> webhookSecret();
    }

    interface Publish {
        /** labeler_id of the consensus label published beside each annotator's own label; empty = not published. */
        @WithDefault("shoal-consensus")
        String consensusLabelerId();

        /** Labels per IngestRequest record. */
        @WithDefault("500")
        int labelsPerIngestRequest();
    }
}
