package dev.shoal.labeling.service;

import dev.shoal.labeling.config.LabelingConfig;
import io.quarkus.runtime.LaunchMode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;

/** Where vendors call back: {@code <labeling.public-url>/v1/callbacks/<vendor>}. */
@ApplicationScoped
public class CallbackUrls {

    @Inject
    LabelingConfig config;

    public String forVendor(String vendor) {
        return base() + "/v1/callbacks/" + vendor;
    }

    public String base() {
        if (config.publicUrl().isPresent()) {
            return config.publicUrl().get().replaceAll("/+$", "");
        }
        // no public URL configured: this host's own port (the test port is only known once the server is up)
        String key = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
        String port = System.getProperty(key);
        if (port == null) {
            port = ConfigProvider.getConfig().getOptionalValue(key, String.class).orElse("8084");
        }
        return "http://127.0.0.1:" + port;
    }
}
