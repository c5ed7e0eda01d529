#!/usr/bin/env python3
"""Places the JIT's events in the embedding benchmark's phases.

Run the benchmark with the JIT's own log on (one file per JVM; the forked test JVM's is the larger):
  JAVA_TOOL_OPTIONS="-XX:+UnlockDiagnosticVMOptions -XX:+LogCompilation -XX:LogFile=/tmp/hslog/hs-%p.log" \
    BENCH_WARMUP=40000 BENCH_WARMUP_RAW=3000 embedding-service/bench/throughput.sh 5000 3 32 2
  embedding-service/bench/jit_phases.py \
    embedding-service/target/surefire-reports/*EmbeddingThroughputBenchmark-output.txt /tmp/hslog/hs-<pid>.log

The benchmark prints 'phase <kind> <items>: uptime <start>-<end> s' per phase; the log stamps its events in seconds
of the same uptime. Per phase this prints: compilations by tier ('4osr' = C2 on-stack replacement), the summed
wall time of those compilations, methods made not entrant (the sweeper's zombie clean-ups of methods already
not entrant are counted apart: they are not deoptimisations), uncommon traps by reason/action (the deoptimisations
of compiled code), the classes whose methods took the most compile time, and the methods C2 compiled most often.
"""
import collections
import html
import re
import sys


def attr(line, key):
    m = re.search(key + r"='([^']*)'", line)
    return html.unescape(m.group(1)) if m else None


def main(bench_output, hotspot_log):
    phases = []
    for line in open(bench_output, errors='replace'):
        m = re.match(r'phase (\w+) (\d+): uptime ([\d.]+)-([\d.]+) s', line)
        if m:
            phases.append((m.group(1), int(m.group(2)), float(m.group(3)), float(m.group(4))))
    if not phases:
        sys.exit(f"no 'phase' lines in {bench_output}: was it written by EmbeddingThroughputBenchmark?")

    def phase_of(stamp):
        for i, p in enumerate(phases):
            if p[2] <= stamp <= p[3]:
                return i
        return None

    stats = [dict(tiers=collections.Counter(), wall=0.0, traps=collections.Counter(), not_entrant=0, zombies=0,
                  class_count=collections.Counter(), class_wall=collections.Counter(), c2=collections.Counter())
             for _ in phases]
    task = None
    for line in open(hotspot_log, errors='replace'):
        if line.startswith('<task '):
            task = (attr(line, 'method') or '?', attr(line, 'level') or '4', float(attr(line, 'stamp')),
                    attr(line, 'compile_kind'))
        elif line.startswith('<task_done') and task:
            i = phase_of(task[2])
            if i is not None:
                s, wall = stats[i], float(attr(line, 'stamp')) - task[2]
                s['tiers'][task[1] + ('osr' if task[3] == 'osr' else '')] += 1
                s['wall'] += wall
                cls = task[0].split(' ')[0].replace('/', '.')  # the log names a method 'pkg.Class name (signature)'
                s['class_count'][cls] += 1
                s['class_wall'][cls] += wall
                if task[1] == '4':
                    s['c2'][task[0].split(' (')[0].replace('/', '.')] += 1
            task = None
        elif line.startswith('<uncommon_trap') and attr(line, 'compile_id') and attr(line, 'stamp'):
            i = phase_of(float(attr(line, 'stamp')))
            if i is not None:
                stats[i]['traps'][f"{attr(line, 'reason')}/{attr(line, 'action')}"] += 1
        elif line.startswith('<make_not_entrant'):
            i = phase_of(float(attr(line, 'stamp')))
            if i is not None:
                stats[i]['zombies' if attr(line, 'zombie') == '1' else 'not_entrant'] += 1

    for (kind, items, start, end), s in zip(phases, stats):
        print(f"{kind:8s} {items:6d} {start:8.1f}-{end:8.1f} s ({end - start:5.1f} s): "
              f"{sum(s['tiers'].values())} compilations {dict(s['tiers'])}, {s['wall']:.2f} s of compile wall time, "
              f"{s['not_entrant']} made not entrant (+{s['zombies']} sweeper clean-ups), "
              f"{sum(s['traps'].values())} uncommon traps")
        if s['traps']:
            print('   traps:', ', '.join(f'{k} {v}' for k, v in s['traps'].most_common(6)))
        if s['class_wall']:
            print('   compile time by class:', ', '.join(f'{k} {s["class_count"][k]}× {v:.2f} s'
                                                   for k, v in s['class_wall'].most_common(6)))
        if s['c2']:
            print('   most often compiled by C2:', ', '.join(f'{k} {v}×' for k, v in s['c2'].most_common(8)))


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
