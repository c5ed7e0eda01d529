package dev.shoal.labeling.service;

import dev.shoal.labeling.domain.Answer;
import dev.shoal.labeling.domain.CallbackRejected;
import dev.shoal.labeling.domain.Campaign;
import dev.shoal.labeling.domain.CampaignFrame;
import dev.shoal.labeling.domain.InboundCallback;
import dev.shoal.labeling.domain.Task;
import dev.shoal.labeling.domain.TaskState;
import dev.shoal.labeling.domain.VendorResult;
import dev.shoal.labeling.store.AnnotationRepository;
import dev.shoal.labeling.store.CampaignRepository;
import dev.shoal.labeling.store.OutboxRepository;
import dev.shoal.proto.Inputs;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every change of a task's state, each in one transaction that first locks the campaign row (so two tasks of a
 * campaign finishing at once cannot both miss, or both run, the campaign's completion).
 */
@ApplicationScoped
public class TaskService {

    private static final Logger LOG = Logger.getLogger(TaskService.class);

    @Inject
    CampaignRepository campaigns;

    @Inject
    AnnotationRepository annotations;

    @Inject
    OutboxRepository outbox;

    @Inject
    CampaignService campaignService;

    public record Recorded(String taskId, boolean duplicate, int inserted, int updated, int unchanged, String taskState) {
    }

    /** Stores a vendor callback's answers (idempotently) and moves the task. Throws CallbackRejected 404/400. */
    @Transactional
    public Recorded record(String vendorName, InboundCallback cb) {
        checkInputs(cb);
        Task found = campaigns.task(cb.taskId())
                .orElseThrow(() -> new CallbackRejected(404, "unknown task " + cb.taskId()));
        if (!found.vendor().equals(vendorName)) {
            throw new CallbackRejected(404, "task " + cb.taskId() + " was not sent to vendor " + vendorName);
        }
        Campaign campaign = campaigns.lock(found.campaignId()).orElseThrow();
        Task task = campaigns.lockTask(cb.taskId()).orElseThrow();
        List<CampaignFrame> frames = campaigns.framesOfTask(task.taskId());
        validate(campaign, frames, cb.results());
        if (!annotations.receipt(vendorName, cb.receiptKey(), task.taskId())) {
            return new Recorded(task.taskId(), true, 0, 0, 0, task.state().db());
        }
        int inserted = 0;
        int updated = 0;
        int unchanged = 0;
        for (VendorResult r : cb.results()) {
            switch (annotations.upsert(campaign.campaignId(), r.frameId(), r.annotatorId(), task.taskId(),
                    campaignService.writeAnswer(r.answer()), r.vendorRef())) {
                case INSERTED -> inserted++;
                case UPDATED -> updated++;
                case UNCHANGED -> unchanged++;
            }
        }
        if (cb.vendorTaskRef() != null) {
            campaigns.setVendorRef(task.taskId(), cb.vendorTaskRef());
        }
        TaskState state = task.state();
        if (state.terminal()) {
            // late answers (e.g. a Label Studio update after the campaign closed) are kept but change nothing
            return new Recorded(task.taskId(), false, inserted, updated, unchanged, state.db());
        }
        if ((!cb.results().isEmpty() || "in_progress".equals(cb.status()))
                && (state == TaskState.CREATED || state == TaskState.DISPATCHED)) {
            state = move(task.taskId(), state, TaskState.IN_PROGRESS, "vendor reported progress");
        }
        if ("failed".equals(cb.status())) {
            state = move(task.taskId(), state, TaskState.FAILED, "vendor reported failure: " + (cb.reason() == null ? "no reason given" : cb.reason()));
        } else if ("completed".equals(cb.status())) {
            state = move(task.taskId(), state, TaskState.COMPLETED, "vendor reported completed");
        } else if (covered(task.taskId(), frames, campaign.annotatorsPerFrame())) {
            state = move(task.taskId(), state, TaskState.COMPLETED,
                    "every frame has " + campaign.annotatorsPerFrame() + " answer(s)");
        }
        if (state.terminal()) {
            campaignService.finishIfDone(campaign);
        }
        return new Recorded(task.taskId(), false, inserted, updated, unchanged, state.db());
    }

    /** Most results one callback may carry. */
    static final int MAX_RESULTS = 10_000;

    /**
     * The shared input rules ({@link Inputs}) on everything the callback would store or look up: ids (task, frame,
     * annotator) are bounded printable text, names and reasons have no NUL and a length limit. 400 naming the field.
     */
    static void checkInputs(InboundCallback cb) {
        reject("task_id", Inputs.idProblem(cb.taskId()));
        reject("receipt", Inputs.textProblem(cb.receiptKey(), Inputs.MAX_NAME_BYTES));
        reject("status", Inputs.textProblem(cb.status(), Inputs.MAX_NAME_BYTES));
        reject("reason", Inputs.textProblem(cb.reason(), Inputs.MAX_TEXT_BYTES));
        reject("vendor_task_ref", Inputs.textProblem(cb.vendorTaskRef(), Inputs.MAX_NAME_BYTES));
        if (cb.results().size() > MAX_RESULTS) {
            throw new CallbackRejected(400, "results has " + cb.results().size() + " entries, more than " + MAX_RESULTS);
        }
        for (int i = 0; i < cb.results().size(); i++) {
            VendorResult r = cb.results().get(i);
            String path = "results[" + i + "]";
            reject(path + ".frame_id", Inputs.idProblem(r.frameId()));
            reject(path + ".annotator_id", Inputs.idProblem(r.annotatorId()));
            reject(path + ".vendor_ref", Inputs.textProblem(r.vendorRef(), Inputs.MAX_NAME_BYTES));
            Answer a = r.answer();
            reject(path + ".class_name", Inputs.textProblem(a.className(), Inputs.MAX_NAME_BYTES));
            if (a.boxes().size() + a.polygons().size() > MAX_RESULTS) {
                throw new CallbackRejected(400, path + " has more than " + MAX_RESULTS + " shapes");
            }
            for (String c : a.classSignature()) {
                reject(path + " class name", Inputs.textProblem(c, Inputs.MAX_NAME_BYTES));
            }
        }
    }

    private static void reject(String field, String problem) {
        if (problem != null) {
            throw new CallbackRejected(400, field + " " + problem);
        }
    }

    private static void validate(Campaign campaign, List<CampaignFrame> frames, List<VendorResult> results) {
        Set<String> frameIds = frames.stream().map(CampaignFrame::frameId).collect(Collectors.toSet());
        Set<String> schema = Set.copyOf(campaign.labelSchema());
        boolean classification = "classification".equals(campaign.annotationType());
        for (int i = 0; i < results.size(); i++) {
            VendorResult r = results.get(i);
            String path = "results[" + i + "]";
            if (!frameIds.contains(r.frameId())) {
                throw new CallbackRejected(400, path + ".frame_id " + r.frameId() + " is not a frame of this task");
            }
            Answer a = r.answer();
            if (classification && !a.isClassification()) {
                throw new CallbackRejected(400, path + " must carry a class for a classification campaign");
            }
            if (!classification && a.boxes().isEmpty() && a.polygons().isEmpty()) {
                throw new CallbackRejected(400, path + " must carry " + campaign.annotationType() + " for this campaign");
            }
            if (!schema.isEmpty()) {
                for (String c : a.classSignature()) {
                    if (!schema.contains(c)) {
                        throw new CallbackRejected(400, path + " class " + c + " is not in the campaign's label schema");
                    }
                }
            }
        }
    }

    private boolean covered(String taskId, List<CampaignFrame> frames, int perFrame) {
        Map<String, Integer> coverage = annotations.coverage(taskId);
        return frames.stream().allMatch(f -> coverage.getOrDefault(f.frameId(), 0) >= perFrame);
    }

    private TaskState move(String taskId, TaskState from, TaskState to, String reason) {
        if (from == to || !from.canMoveTo(to)) {
            return from;
        }
        campaigns.transition(taskId, from, to, reason);
        return to;
    }

    /** The vendor took the task (2xx). */
    @Transactional
    public void delivered(OutboxRepository.Entry e, String vendorRef) {
        outbox.markSent(e.id());
        Task task = campaigns.lockTask(e.taskId()).orElseThrow();
        if (vendorRef != null) {
            campaigns.setVendorRef(task.taskId(), vendorRef);
        }
        if (task.version() == e.taskVersion() && task.state() == TaskState.CREATED) {
            move(task.taskId(), task.state(), TaskState.DISPATCHED, "vendor accepted version " + e.taskVersion()
                    + " after " + e.attempts() + " attempt(s)");
        }
    }

    /** Delivery gave up: the task fails with the reason (and may close its campaign). */
    @Transactional
    public void deliveryFailed(OutboxRepository.Entry e, String reason) {
        outbox.markFailed(e.id(), reason);
        Task found = campaigns.task(e.taskId()).orElseThrow();
        Campaign campaign = campaigns.lock(found.campaignId()).orElseThrow();
        Task task = campaigns.lockTask(e.taskId()).orElseThrow();
        if (task.version() != e.taskVersion() || task.state().terminal()) {
            return;
        }
        LOG.warnf("task %s failed: %s", task.taskId(), reason);
        move(task.taskId(), task.state(), TaskState.FAILED, reason);
        campaignService.finishIfDone(campaign);
    }

    /** Marks overdue open tasks expired; returns how many. */
    @Transactional
    public int expireOverdue() {
        int n = 0;
        for (Task t : campaigns.overdueTasks()) {
            Campaign campaign = campaigns.lock(t.campaignId()).orElseThrow();
            Task task = campaigns.lockTask(t.taskId()).orElseThrow();
            if (task.state().terminal()) {
                continue;
            }
            move(task.taskId(), task.state(), TaskState.EXPIRED, "campaign deadline " + campaign.deadline() + " passed");
            for (OutboxRepository.Entry e : outbox.forTask(task.taskId())) {
                if ("pending".equals(e.status())) {
                    outbox.cancel(e.id(), "task expired");
                }
            }
            n++;
            campaignService.finishIfDone(campaigns.lock(t.campaignId()).orElseThrow());
        }
        return n;
    }
}
