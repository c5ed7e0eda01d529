#!/usr/bin/env python3
"""CPU seconds per process group of a running ./shoal up (Linux /proc), for the ingest benchmark.

  proc_cpu.py snap SHOAL_HOME OUT.json      snapshot: ingest-service JVM, Kafka (InfraMain JVM), PostgreSQL
                                            (postmaster + its children, exited ones included via cutime)
  proc_cpu.py diff A.json B.json FRAMES     CPU s and us/frame per part between two snapshots
  proc_cpu.py run OUT.json -- CMD...        runs CMD, writes its CPU seconds (user + sys) as {"benchmark client": s}
  proc_cpu.py pidcpu PID OUT.json           CPU seconds (user + sys) one process has used so far, as {"cpu": s}
  proc_cpu.py timeline SHOAL_HOME CLIENT_PID STOP_FILE [SLICES]
                                            samples every 0.1 s until STOP_FILE exists; prints the cores the
                                            benchmark's processes and the whole machine used, per slice (default 10)

The diff also lists, per part, the threads that used the most CPU (grouped by thread name without digits; a
JVM's GC and JIT compiler threads show as "G1 ...", "C2 CompilerThre" and the like), from /proc/PID/task, matched
by thread id between the snapshots (matching by name would take the CPU of threads that ended inside the window,
e.g. a worker pool shrinking, away from their name's row).
"""
import json
import os
import re
import resource
import subprocess
import sys

HZ = os.sysconf('SC_CLK_TCK')


def own_cpu(fields):
    """A process's or thread's own CPU seconds (utime + stime) from its /proc stat fields after the command name."""
    return (int(fields[11]) + int(fields[12])) / HZ


def stat_fields(path):
    """The fields of a /proc .../stat file after the command name (which may hold spaces and parentheses)."""
    st = open(path).read()
    return st[st.rindex(')') + 2:].split()


def postmasters_of(procs, home):
    """The PostgreSQL postmaster(s) of this SHOAL_HOME among {pid: (command line, ...)}."""
    return {p for p, v in procs.items() if 'bin/postgres' in v[0] and home in v[0]}


def read_procs():
    """pid -> (command line, the fields of /proc/PID/stat after the command name) of every process now."""
    out = {}
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            cmd = open(f'/proc/{pid}/cmdline', 'rb').read().replace(b'\0', b' ').decode(errors='replace')
            out[int(pid)] = (cmd, stat_fields(f'/proc/{pid}/stat'))
        except OSError:
            continue
    return out


def snap(home):
    procs, own, kernel = {}, {}, {}
    for pid, (cmd, f) in read_procs().items():
        procs[pid] = (cmd, int(f[1]), sum(int(v) for v in f[11:15]) / HZ)  # utime stime cutime cstime
        own[pid] = own_cpu(f)
        kernel[pid] = (int(f[12]) + int(f[14])) / HZ  # stime + cstime
    postmasters = postmasters_of(procs, home)
    out = {}
    for p, (c, parent, cpu) in procs.items():
        part = part_of(c, p, parent, postmasters, home)
        if part is None:
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


def part_of(cmd, pid, parent, postmasters, home):
    """Which part of the platform a process is, or None: the ingest-service JVM, the Kafka broker (InfraMain's JVM),
    or PostgreSQL (the postmaster of this SHOAL_HOME and its children)."""
    if 'quarkus-run.jar' in cmd and 'ingest-service' in cmd:
        return 'ingest-service'
    if 'InfraMain' in cmd and home in cmd:
        return 'kafka broker'
    if pid in postmasters or parent in postmasters:
        return 'postgresql'
    return None


def processes():
    """pid -> (command line, parent pid) of every process now."""
    return {pid: (cmd, int(f[1])) for pid, (cmd, f) in read_procs().items()}


def machine_busy():
    """CPU seconds the whole machine has been busy (user, nice, system, irq, softirq; not idle, iowait or steal),
    and idle while a task waited for I/O (iowait)."""
    f = open('/proc/stat').readline().split()[1:]
    return sum(int(f[i]) for i in (0, 1, 2, 5, 6)) / HZ, int(f[4]) / HZ


def timeline(home, client, stop, slices, period=0.1):
    """Samples, every `period` s until the file `stop` exists, the CPU the benchmark's processes have used (the
    three parts and the client JVM) and the machine's busy time; returns per slice of the sampled time how many
    cores each used on average. The process list is read again every second (new PostgreSQL backends)."""
    import bisect
    import time
    ours, samples, listed, last = set(), [], 0.0, {}
    while True:
        now = time.monotonic()
        if now - listed >= 1.0:
            procs = processes()
            postmasters = postmasters_of(procs, home)
            ours = {p for p, (c, parent) in procs.items() if p == client or part_of(c, p, parent, postmasters, home)}
            listed = now
        for p in ours:
            try:
                last[p] = own_cpu(stat_fields(f'/proc/{p}/stat'))
            except OSError:
                continue  # ended: its CPU stays in the sum at the last value read (a backend closing)
        samples.append((now, sum(last.values())) + machine_busy())
        if os.path.exists(stop):
            break
        time.sleep(period)
    times = [x[0] for x in samples]

    def at(t, i):
        """Column i of the samples at time t, interpolated between the samples either side of it."""
        k = min(max(bisect.bisect_left(times, t), 1), len(times) - 1)
        (ta, *a), (tb, *b) = samples[k - 1], samples[k]
        return a[i - 1] + (b[i - 1] - a[i - 1]) * ((t - ta) / (tb - ta) if tb > ta else 1.0)

    t0, t1 = times[0], times[-1]
    rows = []
    for k in range(slices):
        a, b = t0 + (t1 - t0) * k / slices, t0 + (t1 - t0) * (k + 1) / slices
        if len(samples) < 2 or b <= a:
            rows.append((None, None, None))
            continue
        rows.append(tuple((at(b, i) - at(a, i)) / (b - a) for i in (1, 2, 3)))
    return t1 - t0, rows


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
        out[f'{pid}/{tid}'] = [name, own_cpu(st[st.rindex(')') + 2:].split())]
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
        json.dump({'cpu': own_cpu(stat_fields(f'/proc/{int(argv[2])}/stat'))}, open(argv[3], 'w'))
    elif argv[1] == 'timeline':  # timeline SHOAL_HOME CLIENT_PID STOP_FILE [SLICES]
        seconds, rows = timeline(argv[2], int(argv[3]), argv[4], int(argv[5]) if len(argv) > 5 else 10)
        fmt = lambda v: '  - ' if v is None else f'{v:4.2f}'
        print(f'   cores used over the window ({seconds:.1f} s sampled every 0.1 s), in {len(rows)} equal slices; the '
              f'benchmark\'s processes (service, broker, PostgreSQL, client):')
        print('      ' + ' '.join(fmt(r[0]) for r in rows))
        print('   the whole machine busy (anything running on it), and idle waiting for I/O (iowait):')
        print('      ' + ' '.join(fmt(r[1]) for r in rows))
        print('      ' + ' '.join(fmt(r[2]) for r in rows))
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
