#!/usr/bin/env bash
# Ingest throughput through the batch REST API and the Kafka topic, with the CPU each part used per frame.
# Usage: ingest-service/bench/throughput.sh [frames=100000] [paths=rest,kafka] [consumers=4]
# Builds the service (unless SHOAL_SKIP_BUILD=1), starts it with Kafka and PostgreSQL (./shoal up) in a fresh
# SHOAL_HOME, runs per path one client JVM that does a warm-up (SHOAL_BENCH_WARMUP frames, default 3 x frames, on
# its own dataset) and then the measured run, reading /proc at the measured run's start and end (a file handshake
# with the client): CPU seconds of the service, the broker and PostgreSQL per frame, and of the benchmark client in
# the measured run. Stops everything.
# SHOAL_BENCH_JFR=<dir> records a JFR profile (settings=profile, SHOAL_BENCH_JFR_SECONDS=30) of the service and of
# the broker's JVM during each measured run; the profiler's own CPU is then in their numbers. SHOAL_BENCH_PERF=<dir>
# samples the whole box with perf for as long (read PostgreSQL's part with perf report --comm postgres).
# SHOAL_BENCH_JFR_OPTS="event#setting=value ..." passes more event settings to JFR.start (with SHOAL_BENCH_JFR).
# SHOAL_BENCH_JFR_WAITS=1 (with SHOAL_BENCH_JFR) also records every park, socket read/write and monitor wait (thresholds
# 0 ms) and prints, per thread, where the service's threads waited inside the measured window (JfrWaits).
# SHOAL_BENCH_SPREAD=key (default): each batch's requests go where Kafka's partitioner puts the batch's key, so a
# run's 50 batches fall unevenly on the request topic's partitions (printed); =even sends batch b to partition b mod P.
# SHOAL_BENCH_READBACK=after (default): the Kafka path's window ends when the event topics' end
# offsets have grown by 3 x frames, and the client reads back and checks every event after it; =during reads them
# back inside the window (the reader on the same cores, and the broker serving its fetches, in the window).
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
# SHOAL_BENCH_TIMELINE=1: also prints the cores that the benchmark's processes and the whole machine used, per tenth
# of the measured window (where the cores sat idle: the start, the end, throughout).
# SHOAL_BENCH_WARMUP_ROUNDS=R splits the warm-up into R rounds, each started like the measured run (a new dataset,
# requests built, then sent), so that the JVMs meet that transition before the measured window as well. Default 2:
# with one round the service deoptimized and recompiled hot JDBC/Kafka/URI code at the transition, inside the window
# (JFR, docs/benchmarks/ingest.md); 5 runs with 2 rounds vs 6 with 1: server side median 115.9 vs 136.1 us/frame.
# Numbers with 1 and 2 rounds are not directly comparable.
WARMUP_ROUNDS=${SHOAL_BENCH_WARMUP_ROUNDS:-2}
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
# The client's output lines that matter (its JVM's own lines; the Kafka client's log lines are dropped).
LINES='^(REST|Kafka|warm-up|client|ingest benchmark)'
# await_file FILE PID: waits for FILE, written by the client at a handshake point; fails if the client has exited.
await_file() {
  while [[ ! -e "$1" ]]; do
    if ! kill -0 "$2" 2>/dev/null; then
      echo "the benchmark client exited before writing $1" >&2
      return 1
    fi
    sleep 0.1
  done
}
for path in ${PATHS//,/ }; do
  # One client JVM per path runs the warm-up (its own dataset) and then the measured run, so that the client is
  # JIT-warm too. It writes $SYNC/$path.start just before the measured window (Kafka: all requests already built)
  # and $SYNC/$path.end after the last event, and waits at each for our .ack: the server side's /proc snapshots
  # bracket only the measured run, and the client's CPU is read from its /proc/PID at the same two points.
  SYNC="$T/sync-$path"
  mkdir -p "$SYNC"
  echo "== $path: warm-up ($WARMUP frames), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 $BENCH/proc_cpu.py snap "$SHOAL_HOME" "$T/w.json"
  ( python3 $BENCH/proc_cpu.py run "$T/client.json" -- java -cp "$CP" dev.shoal.ingest.bench.IngestBenchmark \
      frames="$FRAMES" warmup="$WARMUP" warmupRounds="$WARMUP_ROUNDS" paths="$path" sync="$SYNC" 2>&1 | grep --line-buffered -E "$LINES" ) &
  CLIENT=$!
  await_file "$SYNC/$path.start" "$CLIENT"
  python3 $BENCH/proc_cpu.py snap "$SHOAL_HOME" "$T/a.json"
  CLIENT_JVM=$(cat "$SYNC/$path.start")
  python3 $BENCH/proc_cpu.py pidcpu "$CLIENT_JVM" "$T/ca.json"
  echo "   warm-up CPU (includes the JIT compiling the hot paths of freshly started JVMs; from before the client started"
  echo "   until the measured run's start, so it also holds the client building the measured run's requests, if any):"
  python3 $BENCH/proc_cpu.py diff "$T/w.json" "$T/a.json" "$WARMUP" | grep -v '^      threads' || true
  echo "== $path: measured ($FRAMES frames), load average $(cut -d' ' -f1-3 /proc/loadavg), start $(date -u +%T.%N)"
  JFR_OPTS="${SHOAL_BENCH_JFR_OPTS:-}" # more event settings, e.g. "jdk.Compilation#threshold=0ms"
  if [[ "${SHOAL_BENCH_JFR_WAITS:-0}" == "1" ]]; then
    for ev in jdk.ThreadPark jdk.SocketRead jdk.SocketWrite jdk.JavaMonitorEnter jdk.JavaMonitorWait jdk.ThreadSleep; do
      JFR_OPTS="$JFR_OPTS $ev#threshold=0ms"
    done
  fi
  if [[ -n "${SHOAL_BENCH_JFR:-}" ]]; then # profile the service and the broker during the measured run (adds CPU)
    mkdir -p "$SHOAL_BENCH_JFR"
    for part in ingest-service infra; do
      # shellcheck disable=SC2086
      jcmd "$(cat "$SHOAL_HOME/run/$part.pid")" JFR.start settings=profile $JFR_OPTS duration="${SHOAL_BENCH_JFR_SECONDS:-30}s" \
        filename="$SHOAL_BENCH_JFR/$path-$part.jfr" >/dev/null
    done
  fi
  if [[ -n "${SHOAL_BENCH_PERF:-}" ]]; then # sample every process on the box with perf (for PostgreSQL's share)
    mkdir -p "$SHOAL_BENCH_PERF"
    perf record -a -g -F 499 -o "$SHOAL_BENCH_PERF/$path.perf" -- sleep "${SHOAL_BENCH_JFR_SECONDS:-30}" >/dev/null 2>&1 &
  fi
  if [[ "${SHOAL_BENCH_TIMELINE:-0}" == "1" ]]; then # cores used per tenth of the window (the sampler: ~3 % of a core)
    python3 $BENCH/proc_cpu.py timeline "$SHOAL_HOME" "$CLIENT_JVM" "$T/$path.timeline.stop" > "$T/$path.timeline" &
    TIMELINE=$!
  fi
  WINDOW_FROM=$(date -u +%T.%N)
  touch "$SYNC/$path.start.ack"
  await_file "$SYNC/$path.end" "$CLIENT"
  WINDOW_TO=$(date -u +%T.%N)
  if [[ -n "${TIMELINE:-}" ]]; then touch "$T/$path.timeline.stop"; wait "$TIMELINE"; cat "$T/$path.timeline"; TIMELINE=; fi
  python3 $BENCH/proc_cpu.py snap "$SHOAL_HOME" "$T/b.json"
  python3 $BENCH/proc_cpu.py pidcpu "$CLIENT_JVM" "$T/cb.json"
  echo "   load average at the end of the measured run: $(cut -d' ' -f1-3 /proc/loadavg), end $(date -u +%T.%N)"
  touch "$SYNC/$path.end.ack"
  wait "$CLIENT"
  python3 $BENCH/proc_cpu.py diff "$T/a.json" "$T/b.json" "$FRAMES"
  python3 -c "import json; a=json.load(open('$T/ca.json'))['cpu']; b=json.load(open('$T/cb.json'))['cpu']; s=b-a; \
w=json.load(open('$T/client.json'))['benchmark client']; \
print(f'  benchmark client {s:7.1f} CPU s {s/$FRAMES*1e6:7.1f} us/frame in the measured run (same cores); whole client process (JVM start, warm-up, building requests, measured run) {w:.1f} CPU s')"
  echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  if [[ -n "${SHOAL_BENCH_JFR:-}" && "${SHOAL_BENCH_JFR_WAITS:-0}" == "1" ]]; then
    # what the recording holds so far (it may still be running); the window is over
    WAITS="$SHOAL_BENCH_JFR/$path-ingest-service-window.jfr"
    jcmd "$(cat "$SHOAL_HOME/run/ingest-service.pid")" JFR.dump filename="$WAITS" >/dev/null || cp "$SHOAL_BENCH_JFR/$path-ingest-service.jfr" "$WAITS"
    java -cp "$CP" dev.shoal.ingest.bench.JfrWaits "$WAITS" \
      from="${WINDOW_FROM:0:12}" to="${WINDOW_TO:0:12}" top="${SHOAL_BENCH_JFR_TOP:-6}"
  fi
done
