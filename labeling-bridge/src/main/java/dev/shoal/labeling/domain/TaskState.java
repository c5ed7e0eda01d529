package dev.shoal.labeling.domain;

import java.util.EnumSet;
import java.util.Set;

/** A vendor task's life: created → dispatched → in_progress → completed / failed / expired. */
public enum TaskState {
    CREATED, DISPATCHED, IN_PROGRESS, COMPLETED, FAILED, EXPIRED;

    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == EXPIRED;
    }

    /**
     * Allowed moves. A vendor may answer before the bridge has recorded its own 2xx (created → in_progress),
     * and a failed task may be sent again as a new version (failed → created).
     */
    public boolean canMoveTo(TaskState next) {
        Set<TaskState> allowed = switch (this) {
            case CREATED -> EnumSet.of(DISPATCHED, IN_PROGRESS, COMPLETED, FAILED, EXPIRED);
            case DISPATCHED -> EnumSet.of(IN_PROGRESS, COMPLETED, FAILED, EXPIRED);
            case IN_PROGRESS -> EnumSet.of(COMPLETED, FAILED, EXPIRED);
            case FAILED, EXPIRED -> EnumSet.of(CREATED);
            case COMPLETED -> EnumSet.noneOf(TaskState.class);
        };
        return allowed.contains(next);
    }

    public String db() {
        return name().toLowerCase();
    }

    public static TaskState fromDb(String s) {
        return valueOf(s.toUpperCase());
    }
}
