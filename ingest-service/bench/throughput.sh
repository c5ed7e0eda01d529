#!/usr/bin/env bash
# Ingest throughput through the batch REST API and the Kafka topic, with the CPU each part used per frame.
# Usage: ingest-service/bench/throughput.sh [frames=100000] [paths=rest,kafka] [consumers=4]
# Builds the service (unless SHOAL_SKIP_BUILD=1), starts it with Kafka and PostgreSQL (./shoal up) in a fresh
# SHOAL_HOME, runs a warm-up (SHOAL_BENCH_WARMUP frames, default 3 x frames) per path, then the measured run,
# reading /proc before and after: CPU
# seconds of the service, the broker and PostgreSQL per frame (and of the benchmark client). Stops everything.
# SHOAL_BENCH_JFR=<dir> records a JFR profile (settings=profile, SHOAL_BENCH_JFR_SECONDS=30) of the service and of
# the broker's JVM during each measured run; the profiler's own CPU is then in their numbers. SHOAL_BENCH_PERF=<dir>
# samples the whole box with perf for as long (read PostgreSQL's part with perf report --comm postgres).
set -euo pipefail
cd "$(dirname "$0")/../.."
FRAMES=${1:-100000}
PATHS=${2:-rest,kafka}
export SHOAL_INGEST_CONSUMERS=${3:-4}
# Warm-up frames per path before the measured run. The JVMs start fresh: after a warm-up of frames/5 (the old
# default) the JIT compiler threads were about half of the service's and the broker's CPU in the measured run,
# after 1x frames still 47 of 158 us/frame, after 3x 30 of 122 (docs/benchmarks/ingest.md). A running platform
# is past that; the per-thread lines of the output show what the compiler threads still took.
WARMUP=${SHOAL_BENCH_WARMUP:-$((FRAMES * 3))}
BENCH=ingest-service/bench
if [[ "${SHOAL_SKIP_BUILD:-0}" != "1" ]]; then
  mvn -B -q -o -pl ingest-service package -DskipTests
fi
mvn -B -q -o -pl ingest-service test-compile
mvn -B -q -o -pl ingest-service dependency:build-classpath -Dmdep.outputFile="$PWD/ingest-service/target/bench.cp" -Dmdep.includeScope=test
T=$(mktemp -d)
# the client runs from a copy of the classes, so that a build in this tree during the run cannot pull them away
cp -r ingest-service/target/test-classes "$T/test-classes"
CP="$T/test-classes:$(cat ingest-service/target/bench.cp)"
if [[ -z "${SHOAL_HOME:-}" ]]; then # a home of our own (its data, ~1.5 GB per 400k frames) goes when the run ends
  export SHOAL_HOME=$(mktemp -d /tmp/shoal-ingest-bench.XXXX)
  trap 'rm -rf "$T"; ./shoal down && rm -rf "$SHOAL_HOME"' EXIT
else
  export SHOAL_HOME
  trap 'rm -rf "$T"; ./shoal down' EXIT
fi
SHOAL_SKIP_BUILD=1 SHOAL_SERVICES="ingest-service:8081" ./shoal up
for path in ${PATHS//,/ }; do
  echo "== $path: warm-up ($WARMUP frames), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 $BENCH/proc_cpu.py snap "$SHOAL_HOME" "$T/w.json"
  java -cp "$CP" dev.shoal.ingest.bench.IngestBenchmark frames="$WARMUP" paths="$path" 2>&1 | grep -E '^(REST|Kafka)' || true
  python3 $BENCH/proc_cpu.py snap "$SHOAL_HOME" "$T/a.json"
  echo "   warm-up CPU (includes the JIT compiling the hot paths of freshly started JVMs):"
  python3 $BENCH/proc_cpu.py diff "$T/w.json" "$T/a.json" "$WARMUP" | grep -v '^      threads' || true
  echo "== $path: measured ($FRAMES frames), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  if [[ -n "${SHOAL_BENCH_JFR:-}" ]]; then # profile the service and the broker during the measured run (adds CPU)
    mkdir -p "$SHOAL_BENCH_JFR"
    for part in ingest-service infra; do
      jcmd "$(cat "$SHOAL_HOME/run/$part.pid")" JFR.start settings=profile duration="${SHOAL_BENCH_JFR_SECONDS:-30}s" \
        filename="$SHOAL_BENCH_JFR/$path-$part.jfr" >/dev/null
    done
  fi
  if [[ -n "${SHOAL_BENCH_PERF:-}" ]]; then # sample every process on the box with perf (for PostgreSQL's share)
    mkdir -p "$SHOAL_BENCH_PERF"
    perf record -a -g -F 499 -o "$SHOAL_BENCH_PERF/$path.perf" -- sleep "${SHOAL_BENCH_JFR_SECONDS:-30}" >/dev/null 2>&1 &
  fi
  python3 $BENCH/proc_cpu.py run "$T/client.json" -- java -cp "$CP" dev.shoal.ingest.bench.IngestBenchmark \
    frames="$FRAMES" paths="$path" 2>&1 | grep -E '^(REST|Kafka|ingest benchmark)'
  python3 $BENCH/proc_cpu.py snap "$SHOAL_HOME" "$T/b.json"
  python3 $BENCH/proc_cpu.py diff "$T/a.json" "$T/b.json" "$FRAMES"
  python3 -c "import json,sys; s=json.load(open('$T/client.json'))['benchmark client']; print(f'  benchmark client {s:7.1f} CPU s {s/$FRAMES*1e6:7.1f} us/frame (same cores)')"
  echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
done
