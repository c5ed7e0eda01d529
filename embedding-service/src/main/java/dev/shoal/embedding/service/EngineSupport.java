package dev.shoal.embedding.service;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.util.cuda.CudaUtils;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Maps the configured engine name to a DJL engine and device, and refuses GPU engines with a clear message where
 * no GPU or TensorRT is present. Names: {@code onnxruntime} (CPU, default), {@code pytorch} (TorchScript on CPU),
 * {@code tensorrt} (DJL's TensorRT engine, GPU), {@code onnxruntime-tensorrt} (ONNX Runtime with the TensorRT
 * execution provider; needs {@code com.microsoft.onnxruntime:onnxruntime_gpu} instead of the CPU jar).
 * ONNX Runtime models also take the {@link OrtThreads} settings ({@code shoal.embedding.onnx.*}).
 */
public final class EngineSupport {

    private EngineSupport() {
    }

    /**
     * ONNX Runtime's thread settings for every ONNX model of the service: intra-op threads (0 = ORT's default, one
     * per core), inter-op threads (0 = default) and whether idle pool threads spin. ORT's pool threads spin by
     * default between the operators of one run; turning that off hands those cycles to the rest of a shared machine
     * (on the 2-core dev box it made no difference beyond the run-to-run scatter: docs/benchmarks/embedding-throughput.md).
     */
    public record OrtThreads(int intraOp, int interOp, boolean allowSpinning) {

        public static final OrtThreads DEFAULTS = new OrtThreads(0, 0, true);

        public OrtThreads {
            if (intraOp < 0 || interOp < 0) {
                throw new IllegalArgumentException("ONNX Runtime thread counts must be 0 (default) or positive, were "
                        + "intra-op " + intraOp + ", inter-op " + interOp);
            }
        }
    }

    public record Choice(String name, String djlEngine, Device device, String ortDevice, OrtThreads ortThreads) {

        public Choice(String name, String djlEngine, Device device, String ortDevice) {
            this(name, djlEngine, device, ortDevice, OrtThreads.DEFAULTS);
        }

        public Choice withOrtThreads(OrtThreads threads) {
            return new Choice(name, djlEngine, device, ortDevice, threads);
        }

        /**
         * Loads {@code dir/name.<onnx|pt>} on this engine and device, with the execution provider and, for ONNX
         * Runtime, the thread settings.
         */
        public Model load(Path dir, String name) throws IOException, MalformedModelException {
            Model model = Model.newInstance(name, device, djlEngine);
            Map<String, Object> options = new HashMap<>();
            if (ortDevice != null) {
                options.put("ortDevice", ortDevice);
            }
            if (!"OnnxRuntime".equals(djlEngine)) {
                try {
                    model.load(dir, name, options);
                    return model;
                } catch (IOException | MalformedModelException | RuntimeException e) {
                    model.close();
                    throw e;
                }
            }
            if (ortThreads.intraOp() > 0) {
                options.put("intraOpNumThreads", Integer.toString(ortThreads.intraOp()));
            }
            if (ortThreads.interOp() > 0) {
                options.put("interOpNumThreads", Integer.toString(ortThreads.interOp()));
            }
            // ORT copies the session options into the session it creates, so they are released right after
            try (OrtSession.SessionOptions session = new OrtSession.SessionOptions()) {
                if (!ortThreads.allowSpinning()) {
                    session.addConfigEntry("session.intra_op.allow_spinning", "0");
                    session.addConfigEntry("session.inter_op.allow_spinning", "0");
                }
                options.put("sessionOptions", session);
                model.load(dir, name, options);
                return model;
            } catch (OrtException e) {
                model.close();
                throw new MalformedModelException("ONNX Runtime session options refused: " + e.getMessage(), e);
            } catch (IOException | MalformedModelException | RuntimeException e) {
                model.close();
                throw e;
            }
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
