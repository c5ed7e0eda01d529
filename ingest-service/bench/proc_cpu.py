#!/usr/bin/env python3
"""CPU seconds per process group of a running ./shoal up (Linux /proc), for the ingest benchmark.

  proc_cpu.py snap SHOAL_HOME OUT.json      snapshot: ingest-service JVM, Kafka (InfraMain JVM), PostgreSQL
                                            (postmaster + its children, exited ones included via cutime)
  proc_cpu.py diff A.json B.json FRAMES     CPU s and us/frame per part between two snapshots
  proc_cpu.py run OUT.json -- CMD...        runs CMD, writes its CPU seconds (user + sys) as {"benchmark client": s}
  proc_cpu.py pidcpu PID OUT.json           CPU seconds (user + sys) one process has used so far, as {"cpu": s}

The diff also lists, per part, the threads that used the most CPU (grouped by thread name without digits; a
JVM's GC and JIT compiler threads show as "G1 ...", "C2 CompilerThre" and the like), from /proc/PID/task, matched
by thread id between the snapshots (until 2026-11-27 by name, which took the CPU of threads that ended inside the
window, e.g. a worker pool shrinking, away from their name's row).
"""
import json
import os
import re
import resource
import subprocess
import sys

HZ = os.sysconf('SC_CLK_TCK')


def snap(home):
    procs, own, kernel = {}, {}, {}
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
        own[int(pid)] = (int(f[11]) + int(f[12])) / HZ
        kernel[int(pid)] = (int(f[12]) + int(f[14])) / HZ  # stime + cstime
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
        sys_ = out.setdefault('sys', {})
        sys_[part] = sys_.get(part, 0.0) + kernel[p]
        threads = out.setdefault('threads', {}).setdefault(part, {})
        if part == 'postgresql':  # one process per role, named by its title (backend <db>, walwriter, ...)
            threads[pg_role(c, p in postmasters)] = threads.get(pg_role(c, p in postmasters), 0.0) + own[p]
            if p in postmasters:
                threads['exited children'] = cpu - own[p]
            continue
        for tid, (name, tcpu) in task_cpu(p).items():
            threads[tid] = [name, tcpu]
    return out


def pg_role(cmd, postmaster):
    """'postgres: postgres ingest 127.0.0.1(4242) idle' -> 'backend ingest'; 'postgres: walwriter' -> 'walwriter'."""
    if postmaster:
        return 'postmaster'
    title = cmd.split(':', 1)[-1].split()
    if len(title) >= 2 and title[0] == 'postgres':
        return 'backend ' + title[1]
    return ' '.join(w for w in title if not re.match(r'^[0-9(]', w))


def task_cpu(pid):
    """{tid: [thread name with digits replaced by '#', CPU seconds]} of a process's live threads."""
    out = {}
    try:
        tasks = os.listdir(f'/proc/{pid}/task')
    except OSError:
        return out
    for tid in tasks:
        try:
            st = open(f'/proc/{pid}/task/{tid}/stat').read()
        except OSError:
            continue
        name = re.sub(r'[0-9]+', '#', st[st.index('(') + 1:st.rindex(')')])
        f = st[st.rindex(')') + 2:].split()
        out[f'{pid}/{tid}'] = [name, (int(f[11]) + int(f[12])) / HZ]
    return out


def per_thread_name(ta, tb, part_total, pg):
    """CPU per thread name between two snapshots. JVM threads are matched by id, so a thread that was there at the
    start and ended in the window does not take its earlier CPU away from its name; what the threads that ended used
    inside the window is the process's total less the live threads', listed as 'threads ended in the window'."""
    if pg:  # one entry per role, summed already
        return {n: tb[n] - ta.get(n, 0.0) for n in tb}
    out = {}
    for tid, (name, cpu) in tb.items():
        before = ta.get(tid)
        out[name] = out.get(name, 0.0) + cpu - (before[1] if before and before[0] == name else 0.0)
    ended = part_total - sum(out.values())
    if ended > 0:
        out['threads ended in the window'] = ended
    return out


def main(argv):
    if argv[1] == 'snap':
        json.dump(snap(argv[2]), open(argv[3], 'w'))
    elif argv[1] == 'run':
        rc = subprocess.call(argv[4:])
        u = resource.getrusage(resource.RUSAGE_CHILDREN)
        json.dump({'benchmark client': u.ru_utime + u.ru_stime}, open(argv[2], 'w'))
        return rc
    elif argv[1] == 'pidcpu':
        st = open(f'/proc/{int(argv[2])}/stat').read()
        f = st[st.rindex(')') + 2:].split()
        json.dump({'cpu': (int(f[11]) + int(f[12])) / HZ}, open(argv[3], 'w'))
    elif argv[1] == 'diff':
        a, b, frames = json.load(open(argv[2])), json.load(open(argv[3])), float(argv[4])
        total = 0.0
        threads_a, threads_b = a.pop('threads', {}), b.pop('threads', {})
        sys_a, sys_b = a.pop('sys', {}), b.pop('sys', {})
        for part in sorted(b):
            d = b[part] - a.get(part, 0.0)
            total += d
            k = sys_b.get(part, 0.0) - sys_a.get(part, 0.0)
            print(f'  {part:16s} {d:7.1f} CPU s {d / frames * 1e6:7.1f} us/frame (of which kernel {k / frames * 1e6:.1f})')
            by_name = per_thread_name(threads_a.get(part, {}), threads_b.get(part, {}), d, part == 'postgresql')
            per = sorted(((t, n) for n, t in by_name.items()), reverse=True)
            top = [f'{n} {t / frames * 1e6:.1f}' for t, n in per[:8] if t > 0]
            if top:
                print('      threads (us/frame): ' + '; '.join(top))
        print(f'  {"server side":16s} {total:7.1f} CPU s {total / frames * 1e6:7.1f} us/frame '
              f'-> at most {2 / (total / frames):,.0f} frames/s on 2 otherwise idle cores')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
