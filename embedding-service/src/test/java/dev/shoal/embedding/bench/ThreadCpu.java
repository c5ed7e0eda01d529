package dev.shoal.embedding.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Linux only: CPU time of this process's threads (from {@code /proc/self/task/<tid>/stat}, grouped by thread name with
 * digits folded, so ONNX Runtime's native pool threads count too) and of the whole machine ({@code /proc/stat}), for
 * splitting a benchmark phase's CPU by thread. Clock ticks are converted with the usual USER_HZ of 100. Also each
 * thread's time spent runnable but waiting for a core ({@code /proc/self/task/<tid>/schedstat}, the kernel's run-queue
 * delay in ns): a thread the scheduler keeps off a core, e.g. the model's while other threads run on its core.
 */
final class ThreadCpu {

    private static final double MS_PER_TICK = 10.0;

    record Snapshot(Map<Integer, String> names, Map<Integer, Long> ticks, Map<Integer, Long> runQueueNanos, long process,
                    long machineBusy, long machineTotal) {
    }

    private ThreadCpu() {
    }

    static Snapshot take() {
        Map<Integer, String> names = new HashMap<>();
        Map<Integer, Long> ticks = new HashMap<>();
        Map<Integer, Long> waits = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    int tid = Integer.parseInt(task.getFileName().toString());
                    names.put(tid, stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
                    ticks.put(tid, ticksOf(stat));
                    waits.put(tid, runQueueNanos(task));
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between the listing and the read
                }
            }
            long process = ticksOf(Files.readString(Path.of("/proc/self/stat")));
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
            for (int i = 1; i < cpu.length; i++) {
                total += Long.parseLong(cpu[i]);
            }
            return new Snapshot(names, ticks, waits, process, total - idle, total);
        } catch (IOException e) {
            return new Snapshot(Map.of(), Map.of(), Map.of(), 0, 0, 0);
        }
    }

    /** CPU ms this process used between the two snapshots (clock ticks, so 10 ms resolution). */
    static double processMs(Snapshot before, Snapshot after) {
        return (after.process() - before.process()) * MS_PER_TICK;
    }

    /** The thread's run-queue delay so far, or 0 where the kernel keeps no schedstat (the report then shows none). */
    private static long runQueueNanos(Path task) {
        try {
            return Long.parseLong(Files.readString(task.resolve("schedstat")).trim().split(" ")[1]);
        } catch (IOException | RuntimeException none) {
            return 0;
        }
    }

    /** utime + stime of a {@code stat} line (fields 14 and 15; the name in parentheses may hold spaces). */
    private static long ticksOf(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /**
     * This process and the machine, then one entry per thread group (threads alive at the end; largest first), then
     * what threads that ended in between used (the process total less the rest), all in CPU ms per item.
     */
    static String report(Snapshot before, Snapshot after, int items, int top) {
        Map<String, Long> byName = byName(after, before.ticks(), after.ticks());
        long process = after.process() - before.process();
        List<Map.Entry<String, Long>> sorted = largestFirst(byName);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("process %.2f ms/item, machine busy %.2f ms/item of %.2f;", process * MS_PER_TICK / items,
                (after.machineBusy() - before.machineBusy()) * MS_PER_TICK / items,
                (after.machineTotal() - before.machineTotal()) * MS_PER_TICK / items));
        for (int i = 0; i < Math.min(top, sorted.size()); i++) {
            sb.append(String.format(" [%s] %.2f", sorted.get(i).getKey(), sorted.get(i).getValue() * MS_PER_TICK / items));
        }
        // threads that ended before the second snapshot (e.g. Lucene's merge threads) are in the process total only
        long alive = byName.values().stream().mapToLong(Long::longValue).sum();
        sb.append(String.format(" [threads ended in between] %.2f", (process - alive) * MS_PER_TICK / items));
        return sb.toString();
    }

    /** The thread groups that waited longest for a core between the two snapshots, in ms per item (largest first). */
    static String runQueueReport(Snapshot before, Snapshot after, int items, int top) {
        List<Map.Entry<String, Long>> sorted = largestFirst(byName(after, before.runQueueNanos(), after.runQueueNanos()));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(top, sorted.size()); i++) {
            sb.append(String.format(" [%s] %.3f", sorted.get(i).getKey(), sorted.get(i).getValue() / 1e6 / items));
        }
        return sb.toString().trim();
    }

    /** Per thread group (name with digits folded), the growth of a per-thread counter between two snapshots. */
    private static Map<String, Long> byName(Snapshot after, Map<Integer, Long> before, Map<Integer, Long> now) {
        Map<String, Long> out = new HashMap<>();
        for (var e : now.entrySet()) {
            long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            out.merge(after.names().get(e.getKey()).replaceAll("\\d+", "#"), d, Long::sum);
        }
        return out;
    }

    private static List<Map.Entry<String, Long>> largestFirst(Map<String, Long> byName) {
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(byName.entrySet());
        sorted.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        return sorted;
    }
}
