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
 * splitting a benchmark phase's CPU by thread. Clock ticks are converted with the usual USER_HZ of 100.
 */
final class ThreadCpu {

    private static final double MS_PER_TICK = 10.0;

    record Snapshot(Map<Integer, String> names, Map<Integer, Long> ticks, long process, long machineBusy, long machineTotal) {
    }

    private ThreadCpu() {
    }

    static Snapshot take() {
        Map<Integer, String> names = new HashMap<>();
        Map<Integer, Long> ticks = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    int tid = Integer.parseInt(task.getFileName().toString());
                    names.put(tid, stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
                    ticks.put(tid, ticksOf(stat));
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
            return new Snapshot(names, ticks, process, total - idle, total);
        } catch (IOException e) {
            return new Snapshot(Map.of(), Map.of(), 0, 0, 0);
        }
    }

    /** CPU ms this process used between the two snapshots (clock ticks, so 10 ms resolution). */
    static double processMs(Snapshot before, Snapshot after) {
        return (after.process() - before.process()) * MS_PER_TICK;
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
        Map<String, Long> byName = new HashMap<>();
        long process = after.process() - before.process();
        for (var e : after.ticks().entrySet()) {
            long d = e.getValue() - before.ticks().getOrDefault(e.getKey(), 0L);
            byName.merge(after.names().get(e.getKey()).replaceAll("\\d+", "#"), d, Long::sum);
        }
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(byName.entrySet());
        sorted.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
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
}
