package dev.shoal.embedding.service;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.repository.zoo.Criteria;
import ai.djl.util.cuda.CudaUtils;

import java.util.Locale;

/**
 * Maps the configured engine name to a DJL engine and device, and refuses GPU engines with a clear message where
 * no GPU or TensorRT is present. Names: {@code onnxruntime} (CPU, default), {@code pytorch} (TorchScript on CPU),
 * {@code tensorrt} (DJL's TensorRT engine, GPU), {@code onnxruntime-tensorrt} (ONNX Runtime with the TensorRT
 * execution provider; needs {@code com.microsoft.onnxruntime:onnxruntime_gpu} instead of the CPU jar).
 */
public final class EngineSupport {

    private EngineSupport() {
    }

    public record Choice(String name, String djlEngine, Device device, String ortDevice) {

        /** Applies engine, device and, for ORT+TensorRT, the execution provider to a criteria builder. */
        public <I, O> Criteria.Builder<I, O> apply(Criteria.Builder<I, O> builder) {
            builder.optEngine(djlEngine).optDevice(device);
            if (ortDevice != null) {
                builder.optOption("ortDevice", ortDevice);
            }
            return builder;
        }

        public String describe() {
            return name + " (DJL engine " + djlEngine + (ortDevice != null ? ", execution provider " + ortDevice : "")
                    + ") on " + device;
        }
    }

    /**
     * Resolves and checks the engine; throws {@link IllegalStateException} naming the property when it cannot run here.
     *
     * @param property the configuration key, for the message (e.g. {@code shoal.embedding.text.engine})
     */
    public static Choice choose(String property, String engine, String device) {
        String e = engine.trim().toLowerCase(Locale.ROOT);
        boolean gpu = "gpu".equalsIgnoreCase(device.trim()) || e.equals("tensorrt") || e.equals("onnxruntime-tensorrt");
        if (gpu) {
            int gpus = gpuCount();
            if (gpus == 0) {
                throw new IllegalStateException(property + "=" + engine + " needs an NVIDIA GPU, but none is visible "
                        + "(no CUDA driver or device found by DJL). Use " + property + "=onnxruntime on CPU, or run on a "
                        + "GPU node with CUDA and TensorRT (libnvinfer) installed.");
            }
        }
        return switch (e) {
            case "onnxruntime", "ort", "onnx" -> available(property, engine,
                    new Choice("onnxruntime", "OnnxRuntime", gpu ? Device.gpu() : Device.cpu(), null));
            case "pytorch", "torchscript" -> available(property, engine,
                    new Choice("pytorch", "PyTorch", gpu ? Device.gpu() : Device.cpu(), null));
            case "tensorrt" -> available(property, engine, new Choice("tensorrt", "TensorRT", Device.gpu(), null));
            case "onnxruntime-tensorrt" -> available(property, engine,
                    new Choice("onnxruntime-tensorrt", "OnnxRuntime", Device.gpu(), "TensorRT"));
            default -> throw new IllegalStateException(property + "=" + engine + " is not a known engine "
                    + "(onnxruntime, pytorch, tensorrt, onnxruntime-tensorrt)");
        };
    }

    static int gpuCount() {
        try {
            return CudaUtils.hasCuda() ? CudaUtils.getGpuCount() : 0;
        } catch (RuntimeException | LinkageError e) {
            return 0;
        }
    }

    private static Choice available(String property, String engine, Choice choice) {
        if (!Engine.getAllEngines().contains(choice.djlEngine())) {
            throw new IllegalStateException(property + "=" + engine + ": DJL engine " + choice.djlEngine()
                    + " is not on the classpath");
        }
        try {
            Engine.getEngine(choice.djlEngine());
        } catch (RuntimeException | LinkageError ex) {
            throw new IllegalStateException(property + "=" + engine + ": DJL engine " + choice.djlEngine()
                    + " cannot start here: " + ex.getMessage(), ex);
        }
        return choice;
    }
}
