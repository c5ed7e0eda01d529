package dev.shoal.embedding.pipeline;

import dev.shoal.proto.Topics;
import dev.shoal.proto.embedding.v1.EmbeddingFailed;
import dev.shoal.proto.ingest.v1.Modality;
import dev.shoal.testkit.KafkaProbe;
import dev.shoal.testkit.ShoalInfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TensorRT selected on a machine without a GPU: the service starts, readiness is DOWN with a message that names the
 * setting and the fix, and frames fail with that reason instead of hanging. Skipped on a machine with a GPU.
 */
@QuarkusTest
@TestProfile(TensorRtWithoutGpuTest.TensorRt.class)
@QuarkusTestResource(value = ShoalInfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "embedding"))
@EnabledIf("noGpu")
class TensorRtWithoutGpuTest {

    public static class TensorRt implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shoal.embedding.text.engine", "tensorrt", "shoal.embedding.text.device", "gpu",
                    "shoal.embedding.consumer.group-id", "embedding-service-tensorrt-test");
        }
    }

    static boolean noGpu() {
        return !new java.io.File("/dev/nvidia0").exists();
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void readiness_is_down_and_names_the_engine_setting_and_the_missing_gpu() {
        given().when().get("/q/health/ready").then().statusCode(503)
                .body(containsString("shoal.embedding.text.engine=tensorrt"))
                .body(containsString("needs an NVIDIA GPU"));
    }

    @Test
    void text_frames_fail_with_the_reason_the_model_did_not_load() {
        String dataset = "ds-" + UUID.randomUUID().toString().substring(0, 8);
        String frame = "f-trt-" + UUID.randomUUID();
        try (KafkaProbe probe = new KafkaProbe(bootstrap)) {
            PipelineEvents.send(probe, Topics.FRAME_UPSERTED, frame,
                    PipelineEvents.frameEvent(dataset, frame, "data:text/plain,hello", Modality.MODALITY_TEXT));
            EmbeddingFailed f = PipelineEvents.failed(probe, frame, Duration.ofSeconds(60));
            assertTrue(f.getReason().contains("needs an NVIDIA GPU"), f.getReason());
        }
    }
}
