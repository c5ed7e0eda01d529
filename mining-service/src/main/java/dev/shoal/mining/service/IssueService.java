package dev.shoal.mining.service;

import dev.shoal.mining.domain.Issue;
import dev.shoal.mining.domain.Results.Page;
import dev.shoal.mining.store.ResultRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Paging and triage of issues. */
@ApplicationScoped
public class IssueService {

    public static final int DEFAULT_PAGE_SIZE = 50;
    public static final int MAX_PAGE_SIZE = 500;

    @Inject
    ResultRepository results;

    @Inject
    dev.shoal.mining.messaging.IssueFoundProducer producer;

    /** Stores an analysis' issues and publishes an IssueFound event for each. */
    public void record(java.util.List<Issue> issues) {
        results.insertIssues(issues);
        producer.publish(issues);
    }

    public Page<Issue> page(String analysisId, String type, String state, Integer page, Integer pageSize) {
        if (analysisId == null || analysisId.isBlank()) {
            throw new BadRequest("analysis", "analysis (the analysis id) is required");
        }
        if (type != null && !type.isBlank() && !Issue.TYPES.contains(type)) {
            throw new BadRequest("type", "unknown type '" + type + "'; one of " + new java.util.TreeSet<>(Issue.TYPES));
        }
        if (state != null && !state.isBlank() && !Issue.STATES.contains(state)) {
            throw new BadRequest("state", "unknown state '" + state + "'; one of " + new java.util.TreeSet<>(Issue.STATES));
        }
        return results.issues(analysisId, type, state, checkPage(page), checkSize(pageSize));
    }

    public Issue get(String id) {
        return results.issue(id).orElseThrow(() -> new NotFound("no issue " + id));
    }

    /**
     * Sets the triage state. A label-error candidate a person marks {@code model_wrong} becomes a model_error
     * (and back to label_error if they change their mind); detection findings keep their type.
     */
    public Issue triage(String id, String state, String note) {
        if (state == null || state.isBlank()) {
            throw new BadRequest("state", "state is required; one of " + new java.util.TreeSet<>(Issue.STATES));
        }
        if (!Issue.STATES.contains(state)) {
            throw new BadRequest("state", "unknown state '" + state + "'; one of " + new java.util.TreeSet<>(Issue.STATES));
        }
        if (note != null && note.length() > 4000) {
            throw new BadRequest("note", "note is longer than 4000 characters");
        }
        Issue current = get(id);
        String type = current.type();
        if (Issue.LABEL_ERROR.equals(type) && "model_wrong".equals(state)) {
            type = Issue.MODEL_ERROR;
        } else if (Issue.MODEL_ERROR.equals(type) && "label_wrong".equals(state)) {
            type = Issue.LABEL_ERROR;
        }
        return results.triage(id, state, type, note).orElseThrow();
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
