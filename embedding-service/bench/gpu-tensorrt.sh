#!/usr/bin/env bash
# GPU benchmark: all-MiniLM-L6-v2 texts/s, ONNX Runtime on CPU vs TensorRT on the GPU, same model and batch, one run.
# Usage: embedding-service/bench/gpu-tensorrt.sh [tensorrt|onnxruntime-tensorrt] [texts] [batch] [rounds]
# Needs a node with an NVIDIA GPU, its driver, CUDA and TensorRT (libnvinfer) installed; for onnxruntime-tensorrt
# also com.microsoft.onnxruntime:onnxruntime_gpu in place of the CPU onnxruntime jar. Fails clearly without them.
set -euo pipefail
cd "$(dirname "$0")/../.."
ENGINE=${1:-tensorrt}
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu-tensorrt.sh: no NVIDIA GPU here (nvidia-smi missing or sees no device); run it on a GPU node with TensorRT." >&2
  exit 2
fi
if ! ldconfig -p 2>/dev/null | grep -q libnvinfer; then
  echo "gpu-tensorrt.sh: TensorRT (libnvinfer) not found by ldconfig; install TensorRT or set LD_LIBRARY_PATH." >&2
  [ -n "${LD_LIBRARY_PATH:-}" ] || exit 2
fi
for tool in java mvn; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "gpu-tensorrt.sh: $tool not found; the benchmark runs on the JVM (Java 17 and Maven, with the project built)." >&2
    exit 2
  fi
done
nvidia-smi -L
mvn -B -q -o -pl embedding-service test-compile
mvn -B -q -o -pl embedding-service exec:java -Dexec.mainClass=dev.shoal.embedding.bench.GpuEngineBenchmark \
  -Dexec.classpathScope=test -Dai.djl.offline=true -Dexec.args="$ENGINE ${2:-2000} ${3:-32} ${4:-3}"
