package dev.shoal.testkit;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import dev.shoal.proto.Topics;
import dev.shoal.proto.common.v1.CommonV1;
import dev.shoal.proto.embedding.v1.EmbeddingComputed;
import dev.shoal.proto.embedding.v1.EmbeddingFailed;
import dev.shoal.proto.embedding.v1.EmbeddingV1;
import dev.shoal.proto.ingest.v1.DatasetCreated;
import dev.shoal.proto.ingest.v1.EmbeddingSupplied;
import dev.shoal.proto.ingest.v1.FrameUpserted;
import dev.shoal.proto.ingest.v1.InferenceUpserted;
import dev.shoal.proto.ingest.v1.IngestRequest;
import dev.shoal.proto.ingest.v1.IngestV1;
import dev.shoal.proto.ingest.v1.LabelUpserted;
import dev.shoal.proto.ingest.v1.ModelVersionRegistered;
import dev.shoal.proto.labeling.v1.LabelingRequested;
import dev.shoal.proto.labeling.v1.LabelingV1;
import dev.shoal.proto.labeling.v1.LabelsAccepted;
import dev.shoal.proto.labeling.v1.RetrainRequested;
import dev.shoal.proto.mining.v1.IssueFound;
import dev.shoal.proto.mining.v1.MiningV1;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which protobuf message a Shoal Kafka record holds: by its {@code ce_type} header (the message's full name, as every
 * producer sets it through {@code CloudEventHeaders}), else by its topic (the events table of the README; a
 * {@code <topic>.dlq} holds the records of {@code <topic>}).
 */
final class PayloadTypes {

    private static final String DLQ_SUFFIX = Topics.dlq("");

    private static final Map<String, Descriptor> BY_TOPIC = new LinkedHashMap<>();
    private static final Map<String, Descriptor> BY_NAME = new HashMap<>();

    static {
        BY_TOPIC.put(Topics.INGEST_REQUESTS, IngestRequest.getDescriptor());
        BY_TOPIC.put(Topics.DATASET_CREATED, DatasetCreated.getDescriptor());
        BY_TOPIC.put(Topics.FRAME_UPSERTED, FrameUpserted.getDescriptor());
        BY_TOPIC.put(Topics.LABEL_UPSERTED, LabelUpserted.getDescriptor());
        BY_TOPIC.put(Topics.INFERENCE_UPSERTED, InferenceUpserted.getDescriptor());
        BY_TOPIC.put(Topics.EMBEDDING_SUPPLIED, EmbeddingSupplied.getDescriptor());
        BY_TOPIC.put(Topics.MODEL_VERSION_REGISTERED, ModelVersionRegistered.getDescriptor());
        BY_TOPIC.put(Topics.EMBEDDING_COMPUTED, EmbeddingComputed.getDescriptor());
        BY_TOPIC.put(Topics.EMBEDDING_FAILED, EmbeddingFailed.getDescriptor());
        BY_TOPIC.put(Topics.MINING_ISSUE_FOUND, IssueFound.getDescriptor());
        BY_TOPIC.put(Topics.LABELING_REQUESTED, LabelingRequested.getDescriptor());
        BY_TOPIC.put(Topics.LABELS_ACCEPTED, LabelsAccepted.getDescriptor());
        BY_TOPIC.put(Topics.RETRAIN_REQUESTED, RetrainRequested.getDescriptor());
        for (FileDescriptor file : List.of(CommonV1.getDescriptor(), IngestV1.getDescriptor(), EmbeddingV1.getDescriptor(),
                LabelingV1.getDescriptor(), MiningV1.getDescriptor())) {
            file.getMessageTypes().forEach(PayloadTypes::register);
        }
    }

    /** The topics whose consumer also reads proto3-JSON ({@code content-type: application/json}). */
    private static final Set<String> JSON_ACCEPTED = Set.of(Topics.INGEST_REQUESTS);

    private PayloadTypes() {
    }

    private static void register(Descriptor type) {
        BY_NAME.put(type.getFullName(), type);
        type.getNestedTypes().forEach(PayloadTypes::register);
    }

    /** The message a {@code ce_type} names, e.g. {@code shoal.ingest.v1.FrameUpserted}. */
    static Optional<Descriptor> byName(String ceType) {
        return Optional.ofNullable(BY_NAME.get(ceType));
    }

    /** The message a topic of the contract (or its {@code .dlq}) holds. */
    static Optional<Descriptor> forTopic(String topic) {
        return Optional.ofNullable(BY_TOPIC.get(baseTopic(topic)));
    }

    /** Whether the consumer of {@code topic} reads proto3-JSON as well as binary protobuf. */
    static boolean acceptsJson(String topic) {
        return JSON_ACCEPTED.contains(topic);
    }

    /** The topics of the contract, in the README's order. */
    static Set<String> topics() {
        return BY_TOPIC.keySet();
    }

    static boolean isDeadLetterTopic(String topic) {
        return topic.endsWith(DLQ_SUFFIX);
    }

    /** {@code topic} without its {@code .dlq}. */
    static String baseTopic(String topic) {
        return isDeadLetterTopic(topic) ? topic.substring(0, topic.length() - DLQ_SUFFIX.length()) : topic;
    }
}
