package dev.shoal.embedding.bench;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counters of one Kafka consumer of this JVM, read from the clients' JMX metrics ({@code kafka.consumer:*}): how many
 * fetch requests and network requests it made for how many records, to tell per-record from per-request costs.
 */
final class KafkaClientMetrics {

    private static final String[] FETCH = {"fetch-total", "records-consumed-total", "bytes-consumed-total"};
    private static final String[] CONSUMER = {"request-total", "time-between-poll-avg"};

    private KafkaClientMetrics() {
    }

    /** Totals of the consumer whose client id contains {@code clientId} (zero where an attribute is missing). */
    static Map<String, Double> take(String clientId) {
        Map<String, Double> out = new LinkedHashMap<>();
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        add(out, server, "kafka.consumer:type=consumer-fetch-manager-metrics,client-id=*", clientId, FETCH);
        add(out, server, "kafka.consumer:type=consumer-metrics,client-id=*", clientId, CONSUMER);
        return out;
    }

    /** "fetches 12 (417.0 records each), requests 30" between two snapshots. */
    static String report(Map<String, Double> before, Map<String, Double> after) {
        double fetches = delta(before, after, "fetch-total");
        double records = delta(before, after, "records-consumed-total");
        double requests = delta(before, after, "request-total");
        return String.format("fetches %.0f (%.1f records each), network requests %.0f, records %.0f; at the end: "
                        + "time between polls %.2f ms (avg)", fetches, fetches == 0 ? 0 : records / fetches,
                requests, records, after.getOrDefault("time-between-poll-avg", Double.NaN));
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String key) {
        return after.getOrDefault(key, 0.0) - before.getOrDefault(key, 0.0);
    }

    private static void add(Map<String, Double> out, MBeanServer server, String pattern, String clientId, String[] attributes) {
        try {
            for (ObjectName name : server.queryNames(new ObjectName(pattern), null)) {
                if (!name.getKeyProperty("client-id").contains(clientId)) {
                    continue;
                }
                for (String a : attributes) {
                    Object v = server.getAttribute(name, a);
                    if (v instanceof Number n) {
                        out.merge(a, n.doubleValue(), Double::sum);
                    }
                }
            }
        } catch (Exception e) {
            out.put("error", Double.NaN);
        }
    }
}
