package dev.shoal.embedding.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineSupportTest {

    static boolean noGpu() {
        return EngineSupport.gpuCount() == 0;
    }

    @Test
    @EnabledIf("noGpu")
    void tensorrt_without_a_gpu_fails_with_a_message_naming_the_property_and_the_fix() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EngineSupport.choose("shoal.embedding.text.engine", "tensorrt", "gpu"));
        assertTrue(e.getMessage().contains("shoal.embedding.text.engine=tensorrt"), e.getMessage());
        assertTrue(e.getMessage().contains("needs an NVIDIA GPU"), e.getMessage());
        IllegalStateException ort = assertThrows(IllegalStateException.class,
                () -> EngineSupport.choose("shoal.embedding.text.engine", "onnxruntime-tensorrt", "gpu"));
        assertTrue(ort.getMessage().contains("needs an NVIDIA GPU"), ort.getMessage());
    }

    @Test
    void onnxruntime_on_cpu_is_the_default_choice() {
        EngineSupport.Choice c = EngineSupport.choose("p", "onnxruntime", "cpu");
        assertEquals("OnnxRuntime", c.djlEngine());
        assertEquals("cpu()", c.device().toString());
    }

    @Test
    void an_unknown_engine_is_refused_by_name() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> EngineSupport.choose("p", "tvm", "cpu"));
        assertTrue(e.getMessage().contains("not a known engine"), e.getMessage());
    }
}
