package dev.shoal.embedding.bench;

import dev.shoal.embedding.domain.ModelRef;
import dev.shoal.embedding.service.EngineSupport;
import dev.shoal.embedding.service.TextEmbedder;

import java.util.ArrayList;
import java.util.List;

/**
 * GPU benchmark (a command, not a test): all-MiniLM-L6-v2 texts/s with ONNX Runtime on the CPU against a GPU engine
 * ({@code tensorrt} = DJL's TensorRT engine, or {@code onnxruntime-tensorrt} = ONNX Runtime with the TensorRT
 * execution provider), same model, same texts, same batch size, in one run. Run by
 * {@code embedding-service/bench/gpu-tensorrt.sh}; without a GPU it stops with the engine check's message.
 * Args: gpuEngine (default tensorrt), texts (2000), batch (32), rounds (3).
 */
public final class GpuEngineBenchmark {

    private GpuEngineBenchmark() {
    }

    public static void main(String[] args) {
        String gpuEngine = args.length > 0 ? args[0] : "tensorrt";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        EngineSupport.Choice gpu;
        try {
            gpu = EngineSupport.choose("gpu benchmark engine", gpuEngine, "gpu");
        } catch (IllegalStateException e) {
            throw new IllegalStateException("GPU benchmark cannot run here: " + e.getMessage(), e);
        }
        List<String> texts = EmbeddingThroughputBenchmark.texts(n, 1);
        ModelRef ref = new ModelRef("all-minilm-l6-v2", "1");
        double cpuRate;
        double gpuRate;
        try (TextEmbedder cpu = new TextEmbedder(ref, EngineSupport.choose("cpu", "onnxruntime", "cpu"), 256)) {
            cpuRate = median(cpu, texts, batch, rounds);
        }
        try (TextEmbedder onGpu = new TextEmbedder(ref, gpu, 256)) {
            gpuRate = median(onGpu, texts, batch, rounds);
        }
        System.out.printf("RESULT model=%s texts=%d batch=%d rounds=%d cpu_onnxruntime=%.1f/s %s=%.1f/s speedup=%.2fx%n",
                ref, n, batch, rounds, cpuRate, gpu.describe().replace(' ', '_'), gpuRate, gpuRate / cpuRate);
    }

    private static double median(TextEmbedder e, List<String> texts, int batch, int rounds) {
        run(e, texts.subList(0, Math.min(texts.size(), 256)), batch); // warm-up (TensorRT builds its engine here)
        List<Double> rates = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            rates.add(run(e, texts, batch));
        }
        return EmbeddingThroughputBenchmark.median(rates);
    }

    private static double run(TextEmbedder e, List<String> texts, int batch) {
        long t0 = System.nanoTime();
        for (int i = 0; i < texts.size(); i += batch) {
            e.embedTexts(texts.subList(i, Math.min(texts.size(), i + batch)));
        }
        return texts.size() / ((System.nanoTime() - t0) / 1e9);
    }
}
