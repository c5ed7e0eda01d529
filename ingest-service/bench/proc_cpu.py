#!/usr/bin/env python3
"""CPU seconds per process group of a running ./shoal up (Linux /proc), for the ingest benchmark.

  proc_cpu.py snap SHOAL_HOME OUT.json      snapshot: ingest-service JVM, Kafka (InfraMain JVM), PostgreSQL
                                            (postmaster + its children, exited ones included via cutime)
  proc_cpu.py diff A.json B.json FRAMES     CPU s and us/frame per part between two snapshots
  proc_cpu.py run OUT.json -- CMD...        runs CMD, writes its CPU seconds (user + sys) as {"benchmark client": s}
"""
import json
import os
import resource
import subprocess
import sys

HZ = os.sysconf('SC_CLK_TCK')


def snap(home):
    procs = {}
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            cmd = open(f'/proc/{pid}/cmdline', 'rb').read().replace(b'\0', b' ').decode(errors='replace')
            st = open(f'/proc/{pid}/stat').read()
        except OSError:
            continue
        f = st[st.rindex(')') + 2:].split()
        procs[int(pid)] = (cmd, int(f[1]), sum(int(v) for v in f[11:15]) / HZ)  # utime stime cutime cstime
    postmasters = {p for p, (c, _, _) in procs.items() if 'bin/postgres' in c and home in c}
    out = {}
    for p, (c, parent, cpu) in procs.items():
        if 'quarkus-run.jar' in c and 'ingest-service' in c:
            part = 'ingest-service'
        elif 'InfraMain' in c and home in c:
            part = 'kafka broker'
        elif p in postmasters or parent in postmasters:
            part = 'postgresql'
        else:
            continue
        out[part] = out.get(part, 0.0) + cpu
    return out


def main(argv):
    if argv[1] == 'snap':
        json.dump(snap(argv[2]), open(argv[3], 'w'))
    elif argv[1] == 'run':
        rc = subprocess.call(argv[4:])
        u = resource.getrusage(resource.RUSAGE_CHILDREN)
        json.dump({'benchmark client': u.ru_utime + u.ru_stime}, open(argv[2], 'w'))
        return rc
    elif argv[1] == 'diff':
        a, b, frames = json.load(open(argv[2])), json.load(open(argv[3])), float(argv[4])
        total = 0.0
        for part in sorted(b):
            d = b[part] - a.get(part, 0.0)
            total += d
            print(f'  {part:16s} {d:7.1f} CPU s {d / frames * 1e6:7.1f} us/frame')
        print(f'  {"server side":16s} {total:7.1f} CPU s {total / frames * 1e6:7.1f} us/frame '
              f'-> at most {2 / (total / frames):,.0f} frames/s on 2 otherwise idle cores')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
