#!/usr/bin/env bash
# Ingest throughput through the batch REST API and the Kafka topic, with the CPU each part used per frame.
# Usage: ingest-service/bench/throughput.sh [frames=100000] [paths=rest,kafka] [consumers=4]
# Builds the service (unless SHOAL_SKIP_BUILD=1), starts it with Kafka and PostgreSQL (./shoal up) in a fresh
# SHOAL_HOME, runs a warm-up of frames/5 per path, then the measured run, reading /proc before and after: CPU
# seconds of the service, the broker and PostgreSQL per frame (and of the benchmark client). Stops everything.
set -euo pipefail
cd "$(dirname "$0")/../.."
FRAMES=${1:-100000}
PATHS=${2:-rest,kafka}
export SHOAL_INGEST_CONSUMERS=${3:-4}
BENCH=ingest-service/bench
if [[ "${SHOAL_SKIP_BUILD:-0}" != "1" ]]; then
  mvn -B -q -o -pl ingest-service package -DskipTests
fi
mvn -B -q -o -pl ingest-service test-compile
mvn -B -q -o -pl ingest-service dependency:build-classpath -Dmdep.outputFile="$PWD/ingest-service/target/bench.cp" -Dmdep.includeScope=test
CP="ingest-service/target/test-classes:ingest-service/target/classes:$(cat ingest-service/target/bench.cp)"
export SHOAL_HOME=${SHOAL_HOME:-$(mktemp -d /tmp/shoal-ingest-bench.XXXX)}
SHOAL_SKIP_BUILD=1 SHOAL_SERVICES="ingest-service:8081" ./shoal up
trap './shoal down' EXIT
T=$(mktemp -d)
for path in ${PATHS//,/ }; do
  echo "== $path: warm-up ($((FRAMES / 5)) frames)"
  java -cp "$CP" dev.shoal.ingest.bench.IngestBenchmark frames=$((FRAMES / 5)) paths="$path" 2>&1 | grep -E '^(REST|Kafka)' || true
  echo "== $path: measured ($FRAMES frames), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 $BENCH/proc_cpu.py snap "$SHOAL_HOME" "$T/a.json"
  python3 $BENCH/proc_cpu.py run "$T/client.json" -- java -cp "$CP" dev.shoal.ingest.bench.IngestBenchmark \
    frames="$FRAMES" paths="$path" 2>&1 | grep -E '^(REST|Kafka|ingest benchmark)'
  python3 $BENCH/proc_cpu.py snap "$SHOAL_HOME" "$T/b.json"
  python3 $BENCH/proc_cpu.py diff "$T/a.json" "$T/b.json" "$FRAMES"
  python3 -c "import json,sys; s=json.load(open('$T/client.json'))['benchmark client']; print(f'  benchmark client {s:7.1f} CPU s {s/$FRAMES*1e6:7.1f} us/frame (same cores)')"
  echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
done
