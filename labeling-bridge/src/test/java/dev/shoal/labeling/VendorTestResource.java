package dev.shoal.labeling;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/** Points the bridge's vendors and training webhook at the {@link FakeVendor} on loopback; short test timings. */
public class VendorTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String LS_HOOK_TOKEN = "test-ls-hook";
    public static final String SCALE_CALLBACK_TOKEN = "test-scale-callback";

    @Override
    public Map<String, String> start() {
        FakeVendor v = FakeVendor.INSTANCE;
        Map<String, String> c = new HashMap<>();
        c.put("labeling.default-vendor", "acme");
        c.put("labeling.vendors.acme.type", "webhook");
        c.put("labeling.vendors.acme.url", v.url("/tasks"));
        c.put("labeling.vendors.acme.secret", FakeVendor.WEBHOOK_SECRET);
        c.put("labeling.vendors.picky.type", "webhook");
        c.put("labeling.vendors.picky.url", v.url("/refuse"));
        c.put("labeling.vendors.picky.secret", FakeVendor.WEBHOOK_SECRET);
        c.put("labeling.vendors.ls.type", "label-studio");
        c.put("labeling.vendors.ls.url", v.url(""));
        c.put("labeling.vendors.ls.project-id", "7");
        c.put("labeling.vendors.ls.token", FakeVendor.LS_TOKEN);
        c.put("labeling.vendors.ls.callback-token", LS_HOOK_TOKEN);
        c.put("labeling.vendors.scaly.type", "scale");
        c.put("labeling.vendors.scaly.url", v.url("/scale/task"));
        c.put("labeling.vendors.scaly.token", FakeVendor.SCALE_KEY);
        c.put("labeling.vendors.scaly.callback-token", SCALE_CALLBACK_TOKEN);
        c.put("labeling.task-size", "2");
        c.put("labeling.dispatch.poll-interval", "100ms");
        c.put("labeling.dispatch.initial-backoff", "200ms");
        c.put("labeling.dispatch.max-backoff", "800ms");
        c.put("labeling.dispatch.max-attempts", "40");
        c.put("labeling.dispatch.lease", "2s");
        c.put("labeling.dispatch.request-timeout", "3s");
        c.put("labeling.qa.dawid-skene-min-overlap", "3");
        c.put("labeling.retrain.defaults.webhook-url", v.url("/training"));
        c.put("labeling.retrain.defaults.webhook-secret", FakeVendor.TRAINING_SECRET);
        c.put("labeling.retrain.datasets.\"ds-threshold\".on-campaign-completed", "false");
        c.put("labeling.retrain.datasets.\"ds-threshold\".corrected-labels", "5");
        return c;
    }

    @Override
    public void stop() {
        // the fake vendor lives for the JVM
    }
}
