#!/usr/bin/env bash
# End-to-end embedding throughput (Kafka in -> vectors stored -> events out) vs the raw DJL predictor, one run.
# Usage: embedding-service/bench/throughput.sh [frames] [rounds] [batch] [streams] [intra-op threads]
# (ONNX Runtime intra-op threads per stream: default 0 = the service's default, cores / streams, or one per core with
# one stream; "... 1 1" gives the model one core and leaves the rest to the pipeline, as a GPU node would)
# Starts the real KRaft broker and PostgreSQL in-process (testkit), the service as a @QuarkusTest app, and prints
# one "RESULT ..." line, and a "phase" line per phase with its start and end in seconds of JVM uptime (the clock
# of -XX:+LogCompilation). Results go to docs/benchmarks/embedding-throughput.md by hand.
# BENCH_WARMUP=n (optional): frames per warm-up phase (raw and pipeline each; default = frames);
# BENCH_WARMUP_RAW=n: the raw side's alone.
# BENCH_JFR=/path/file.jfr (optional): a JFR recording (settings=profile) of the last round's pipeline phase only.
# A recorded phase is much slower than an unrecorded one (one recorded phase: 8,847 compilations and 6.98 ms/frame
# of compiler CPU in it, against 0.4 without JFR): use it to see where time goes, not for the ratio.
# BENCH_OPTS="-Dkey=value ..." (optional): service configuration overrides for this run (system properties).
set -euo pipefail
cd "$(dirname "$0")/../.."
FRAMES=${1:-2000}
ROUNDS=${2:-3}
export SHOAL_EMBEDDING_BATCH_MAX_SIZE=${3:-32}
export SHOAL_EMBEDDING_BATCH_STREAMS=${4:-${SHOAL_EMBEDDING_BATCH_STREAMS:-2}}
export SHOAL_EMBEDDING_ONNX_INTRA_OP_THREADS=${5:-${SHOAL_EMBEDDING_ONNX_INTRA_OP_THREADS:-0}}
mvn -B -q -o -pl embedding-service test -Dtest=EmbeddingThroughputBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dshoal.bench.throughput=true -Dbench.frames="$FRAMES" -Dbench.rounds="$ROUNDS" -DtrimStackTrace=false \
  ${BENCH_JFR:+"-Dbench.jfr=$BENCH_JFR"} ${BENCH_WARMUP:+"-Dbench.warmup=$BENCH_WARMUP"} \
  ${BENCH_WARMUP_RAW:+"-Dbench.warmup.raw=$BENCH_WARMUP_RAW"} ${BENCH_OPTS:-}
grep -h -E '^(phase|round|RESULT)' embedding-service/target/surefire-reports/*EmbeddingThroughputBenchmark-output.txt
