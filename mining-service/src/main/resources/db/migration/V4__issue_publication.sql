-- What has been announced as IssueFound, and with which content: an issue (stable id) is published again only
-- when its content changed. Not tied to the issue rows, which a re-run of an analysis deletes and writes again.
create table issue_publication (
    issue_id     text primary key,
    content_hash text not null,
    published_at timestamptz not null default now()
);
