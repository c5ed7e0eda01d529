package dev.shoal.ingest.bench;

import dev.shoal.testkit.KeyValueArgs;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Where the threads of a JVM waited during a window: reads a JFR recording made with the wait events' thresholds at
 * 0 ms ({@code ingest-service/bench/throughput.sh} with {@code SHOAL_BENCH_JFR_WAITS=1}) and sums, per thread (names
 * with their numbers folded, so the 4 request consumers are one row) and per kind of wait (park, socket read, socket
 * write, monitor enter, monitor wait, sleep), the wall time spent waiting inside the window, with the places it was
 * spent (the innermost frame outside the JDK, and the innermost frame of our own code). Also counts each thread's execution samples, to
 * set the waits beside what ran.
 *
 * <p>Usage: {@code JfrWaits file.jfr [from=HH:MM:SS.nnn] [to=HH:MM:SS.nnn] [threads=regex] [top=5]}; times are UTC,
 * as the benchmark script prints them, on the recording's day.
 */
public final class JfrWaits {

    private static final Map<String, String> KINDS = Map.of(
            "jdk.ThreadPark", "park",
            "jdk.SocketRead", "socket read",
            "jdk.SocketWrite", "socket write",
            "jdk.JavaMonitorEnter", "monitor enter",
            "jdk.JavaMonitorWait", "monitor wait",
            "jdk.ThreadSleep", "sleep");
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    private JfrWaits() {
    }

    private static final class Totals {
        long samples;
        final Map<String, long[]> byKind = new TreeMap<>(); // kind -> {count, nanos}
        final Map<String, long[]> byPlace = new TreeMap<>(); // kind @ place -> {count, nanos}
        final Set<Long> threadIds = new HashSet<>();
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: JfrWaits file.jfr [from=HH:MM:SS.nnn] [to=HH:MM:SS.nnn] [threads=regex] [top=5]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        KeyValueArgs a = new KeyValueArgs(Arrays.copyOfRange(args, 1, args.length)).only("from", "to", "threads", "top");
        String fromText = a.text("from", null);
        String toText = a.text("to", null);
        Pattern threads = Pattern.compile(a.text("threads", ".*"));
        int top = a.integer("top", 5);
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        if (events.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no events");
        }
        LocalDate day = events.get(0).getStartTime().atZone(ZoneOffset.UTC).toLocalDate();
        Instant from = fromText == null ? Instant.MIN : LocalTime.parse(fromText).atDate(day).toInstant(ZoneOffset.UTC);
        Instant to = toText == null ? Instant.MAX : LocalTime.parse(toText).atDate(day).toInstant(ZoneOffset.UTC);
        Map<String, Totals> byThread = new TreeMap<>();
        for (RecordedEvent e : events) {
            String type = e.getEventType().getName();
            boolean sample = type.equals("jdk.ExecutionSample");
            String kind = KINDS.get(type);
            if (!sample && kind == null) {
                continue;
            }
            RecordedThread thread = e.getThread(sample ? "sampledThread" : "eventThread");
            if (thread == null || thread.getJavaName() == null || !threads.matcher(thread.getJavaName()).matches()) {
                continue;
            }
            // the part of the event inside the window
            Instant start = e.getStartTime().isBefore(from) ? from : e.getStartTime();
            Instant end = e.getEndTime().isAfter(to) ? to : e.getEndTime();
            if (end.isBefore(start) || (sample && (e.getStartTime().isBefore(from) || e.getStartTime().isAfter(to)))) {
                continue;
            }
            Totals t = byThread.computeIfAbsent(DIGITS.matcher(thread.getJavaName()).replaceAll("#"), k -> new Totals());
            t.threadIds.add(thread.getJavaThreadId());
            if (sample) {
                t.samples++;
                continue;
            }
            long nanos = Duration.between(start, end).toNanos();
            add(t.byKind, kind, nanos);
            add(t.byPlace, kind + " @ " + place(e.getStackTrace()), nanos);
        }
        double window = from == Instant.MIN || to == Instant.MAX ? Double.NaN : Duration.between(from, to).toNanos() / 1e9;
        System.out.printf("JFR waits in %s, window %s .. %s (%.2f s); per thread group: execution samples, then wall s waited "
                + "by kind (summed over the group's threads), then the top places%n", file.getFileName(), fromText, toText, window);
        for (var entry : byThread.entrySet()) {
            Totals t = entry.getValue();
            long waited = t.byKind.values().stream().mapToLong(v -> v[1]).sum();
            if (t.samples == 0 && waited == 0) {
                continue;
            }
            StringBuilder kinds = new StringBuilder();
            t.byKind.forEach((k, v) -> kinds.append(String.format("  %s %.2f s (%d)", k, v[1] / 1e9, v[0])));
            System.out.printf("%-45s threads %2d  samples %5d %s%n", entry.getKey(), t.threadIds.size(), t.samples, kinds);
            List<Map.Entry<String, long[]>> places = new ArrayList<>(t.byPlace.entrySet());
            places.sort(Comparator.comparingLong((Map.Entry<String, long[]> p) -> p.getValue()[1]).reversed());
            for (var p : places.subList(0, Math.min(top, places.size()))) {
                System.out.printf("      %7.2f s %6d  %s%n", p.getValue()[1] / 1e9, p.getValue()[0], p.getKey());
            }
        }
    }

    private static void add(Map<String, long[]> map, String key, long nanos) {
        long[] v = map.computeIfAbsent(key, k -> new long[2]);
        v[0]++;
        v[1] += nanos;
    }

    /** Where a wait came from: the innermost frame outside java.* / jdk.* / sun.*, and the innermost of our code (dev.shoal). */
    static String place(RecordedStackTrace stack) {
        if (stack == null) {
            return "(no stack)";
        }
        String ours = null;
        String waiter = null;
        for (RecordedFrame f : stack.getFrames()) {
            String cls = f.getMethod().getType().getName();
            String name = cls.substring(cls.lastIndexOf('.') + 1) + "." + f.getMethod().getName() + ":" + f.getLineNumber();
            if (waiter == null && !(cls.startsWith("java.") || cls.startsWith("jdk.") || cls.startsWith("sun."))) {
                waiter = cls.substring(0, Math.max(0, cls.lastIndexOf('.'))) + " " + name;
            }
            if (ours == null && cls.startsWith("dev.shoal")) {
                ours = name;
            }
        }
        return (waiter == null ? "(JDK only)" : waiter) + (ours == null || waiter.endsWith(ours) ? "" : " from " + ours);
    }
}
