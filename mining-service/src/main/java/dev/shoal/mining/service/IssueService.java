package dev.shoal.mining.service;

import dev.shoal.mining.domain.Issue;
import dev.shoal.mining.domain.Results.Page;
import dev.shoal.mining.store.ResultRepository;
import jakarta.enterprise.context.ApplicationScoped;
import dev.shoal.mining.store.IssuePublicationRepository;
import dev.shoal.mining.config.MiningConfig;
import dev.shoal.mining.messaging.LabelCorrectionProducer;
import dev.shoal.mining.store.LabelCorrectionRepository;
import jakarta.inject.Inject;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Paging and triage of issues. */
@ApplicationScoped
public class IssueService {

    public static final int DEFAULT_PAGE_SIZE = 50;
    public static final int MAX_PAGE_SIZE = 500;

    @Inject
    ResultRepository results;

    @Inject
    dev.shoal.mining.messaging.IssueFoundProducer producer;

    @Inject
    IssuePublicationRepository publications;

    @Inject
    LabelCorrectionRepository corrections;

    @Inject
    LabelCorrectionProducer ingest;

    @Inject
    MiningConfig config;

    /** How many of an analysis' issues were announced now, and how many had been announced before unchanged. */
    public record Recorded(int published, int alreadyPublished) {
    }

    /**
     * Stores an analysis' issues and publishes IssueFound for each one that is new or whose content changed since
     * it was last published (same stable id, {@link Issue#contentHash()}): a re-run after a restart, or a new job for
     * the inputs of a failed one, does not announce the same findings twice. The ledger is written after the
     * broker acknowledged, so a crash in between publishes again (at least once, never silently lost).
     */
    public Recorded record(List<Issue> issues) {
        results.insertIssues(issues);
        Map<String, String> hashes = new HashMap<>();
        for (Issue i : issues) {
            hashes.put(i.id(), i.contentHash());
        }
        Map<String, String> published = publications.hashes(hashes.keySet());
        List<Issue> fresh = issues.stream().filter(i -> !hashes.get(i.id()).equals(published.get(i.id()))).toList();
        producer.publish(fresh);
        Map<String, String> sent = new HashMap<>();
        fresh.forEach(i -> sent.put(i.id(), hashes.get(i.id())));
        publications.record(sent);
        return new Recorded(fresh.size(), issues.size() - fresh.size());
    }

    public Page<Issue> page(String analysisId, String type, String state, Integer page, Integer pageSize) {
        if (analysisId == null || analysisId.isBlank()) {
            throw new BadRequest("analysis", "analysis (the analysis id) is required");
        }
        if (type != null && !type.isBlank() && !Issue.TYPES.contains(type)) {
            throw new BadRequest("type", "unknown type '" + type + "'; one of " + new java.util.TreeSet<>(Issue.TYPES));
        }
        if (state != null && !state.isBlank() && !Issue.STATES.contains(state)) {
            throw new BadRequest("state", "unknown state '" + dev.shoal.proto.Inputs.abbreviate(state) + "'; one of " + new java.util.TreeSet<>(Issue.STATES));
        }
        return results.issues(analysisId, type, state, checkPage(page), checkSize(pageSize));
    }

    public Issue get(String id) {
        return results.issue(id).orElseThrow(() -> new NotFound("no issue " + id));
    }

    /**
     * Sets the triage state. A label-error candidate a person marks {@code model_wrong} becomes a model_error
     * (and back to label_error if they change their mind); detection findings keep their type.
     * {@code label_wrong} on a classification issue (label_error, model_error) also writes the corrected class back to
     * ingest: {@code correctedClass}, else the issue's suggested label, under the issue's label set plus the configured
     * suffix, by {@code labelerId} (else the configured one). The same correction of the same issue is published once.
     */
    public Issue triage(String id, String state, String note, String correctedClass, String labelerId) {
        if (state == null || state.isBlank()) {
            throw new BadRequest("state", "state is required; one of " + new java.util.TreeSet<>(Issue.STATES));
        }
        if (!Issue.STATES.contains(state)) {
            throw new BadRequest("state", "unknown state '" + dev.shoal.proto.Inputs.abbreviate(state) + "'; one of " + new java.util.TreeSet<>(Issue.STATES));
        }
        if (note != null && note.length() > 4000) {
            throw new BadRequest("note", "note is longer than 4000 characters");
        }
        BadRequest.when("note", dev.shoal.proto.Inputs.textProblem(note, dev.shoal.proto.Inputs.MAX_TEXT_BYTES));
        boolean correcting = "label_wrong".equals(state);
        if (!correcting && correctedClass != null) {
            throw new BadRequest("corrected_class", "corrected_class goes with state label_wrong, not " + state);
        }
        if (!correcting && labelerId != null) {
            throw new BadRequest("labeler_id", "labeler_id goes with state label_wrong, not " + state);
        }
        if (labelerId != null) {
            BadRequest.when("labeler_id", dev.shoal.proto.Inputs.idProblem(labelerId));
        }
        if (correctedClass != null) {
            BadRequest.when("corrected_class", dev.shoal.proto.Inputs.textProblem(correctedClass, dev.shoal.proto.Inputs.MAX_NAME_BYTES));
        }
        Issue current = get(id);
        boolean classification = Issue.LABEL_ERROR.equals(current.type()) || Issue.MODEL_ERROR.equals(current.type());
        if (correctedClass != null && !classification) {
            throw new BadRequest("corrected_class", "a " + current.type() + " issue has no class label to correct");
        }
        String type = current.type();
        if (Issue.LABEL_ERROR.equals(type) && "model_wrong".equals(state)) {
            type = Issue.MODEL_ERROR;
        } else if (Issue.MODEL_ERROR.equals(type) && "label_wrong".equals(state)) {
            type = Issue.LABEL_ERROR;
        }
        Issue updated = results.triage(id, state, type, note).orElseThrow();
        if (correcting && classification) {
            correct(updated, correctedClass, labelerId);
            updated = get(id);
        }
        return updated;
    }

    /** Publishes the corrected label unless this issue's last published correction is the same. */
    private void correct(Issue issue, String correctedClass, String labelerId) {
        String className = correctedClass != null ? correctedClass : issue.suggestedLabel();
        if (className == null || className.isBlank()) {
            throw new BadRequest("corrected_class", "the issue suggests no label: corrected_class is required");
        }
        if (correctedClass != null && !className.equals(issue.suggestedLabel())
                && !results.classNames(issue.datasetId()).contains(className)) {
            throw new BadRequest("corrected_class", "class '" + className + "' is not used by any label or inference of dataset "
                    + issue.datasetId());
        }
        String labelSet = issue.labelSet() + config.triage().labelSetSuffix();
        String labeler = labelerId != null ? labelerId : config.triage().labelerId();
        LabelCorrectionRepository.Correction wanted = new LabelCorrectionRepository.Correction(issue.id(), issue.datasetId(),
                issue.frameId(), labelSet, labeler, className,
                String.join(":", "mining-triage", issue.id(), labelSet, labeler, className));
        if (corrections.find(issue.id()).filter(wanted::equals).isEmpty()) {
            ingest.publish(wanted.requestId(), LabelCorrectionProducer.label(issue.datasetId(), issue.frameId(), labelSet,
                    labeler, className));
            corrections.record(wanted);
        }
        results.correctedLabel(issue.id(), className);
    }

    public static int checkPage(Integer page) {
        int p = page == null ? 0 : page;
        if (p < 0) {
            throw new BadRequest("page", "page must be >= 0");
        }
        return p;
    }

    public static int checkSize(Integer size) {
        int s = size == null ? DEFAULT_PAGE_SIZE : size;
        if (s < 1 || s > MAX_PAGE_SIZE) {
            throw new BadRequest("page_size", "page_size must be within 1.." + MAX_PAGE_SIZE);
        }
        return s;
    }
}
