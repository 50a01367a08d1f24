-- Sqitch's own registry (version 1.1) for the pg engine, in schema `sqitch`.
-- deploy.py runs this file in one transaction when the database has no registry yet, so that
-- `sqitch status`, `sqitch verify` and `sqitch revert` see the changes vestige deployed. Tables,
-- columns, types, defaults, keys and constraint names match what Sqitch 1.3.1 creates; do not
-- change them without checking against `sqitch deploy` (tests/test_deploy.py does).

SET LOCAL client_min_messages = warning;

CREATE SCHEMA IF NOT EXISTS sqitch;

COMMENT ON SCHEMA sqitch IS 'Sqitch database deployment metadata v1.1.';

CREATE TABLE sqitch.releases (
    version         REAL        PRIMARY KEY,
    installed_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    installer_name  TEXT        NOT NULL,
    installer_email TEXT        NOT NULL
);

COMMENT ON TABLE sqitch.releases IS 'Each version of the registry schema installed here.';
COMMENT ON COLUMN sqitch.releases.version IS 'Registry schema version.';
COMMENT ON COLUMN sqitch.releases.installed_at IS 'When this version was installed.';
COMMENT ON COLUMN sqitch.releases.installer_name IS 'Who installed this version (name).';
COMMENT ON COLUMN sqitch.releases.installer_email IS 'Who installed this version (email).';

CREATE TABLE sqitch.projects (
    project         TEXT        PRIMARY KEY,
    uri             TEXT            NULL UNIQUE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    creator_name    TEXT        NOT NULL,
    creator_email   TEXT        NOT NULL
);

COMMENT ON TABLE sqitch.projects IS 'Sqitch projects that have deployed changes to this database.';
COMMENT ON COLUMN sqitch.projects.project IS 'Project name, from the %project pragma.';
COMMENT ON COLUMN sqitch.projects.uri IS 'Project URI as written in the %uri pragma, if any.';
COMMENT ON COLUMN sqitch.projects.created_at IS 'When the project was first registered here.';
COMMENT ON COLUMN sqitch.projects.creator_name IS 'Who registered the project (name).';
COMMENT ON COLUMN sqitch.projects.creator_email IS 'Who registered the project (email).';

CREATE TABLE sqitch.changes (
    change_id       TEXT        PRIMARY KEY,
    script_hash     TEXT            NULL,
    change          TEXT        NOT NULL,
    project         TEXT        NOT NULL REFERENCES sqitch.projects (project) ON UPDATE CASCADE,
    note            TEXT        NOT NULL DEFAULT '',
    committed_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    committer_name  TEXT        NOT NULL,
    committer_email TEXT        NOT NULL,
    planned_at      TIMESTAMPTZ NOT NULL,
    planner_name    TEXT        NOT NULL,
    planner_email   TEXT        NOT NULL,
    UNIQUE (project, script_hash)
);

COMMENT ON TABLE sqitch.changes IS 'The changes deployed right now; a revert deletes the row.';
COMMENT ON COLUMN sqitch.changes.change_id IS 'SHA-1 identifying the change as planned.';
COMMENT ON COLUMN sqitch.changes.script_hash IS 'SHA-1 of the deploy script as it was deployed.';
COMMENT ON COLUMN sqitch.changes.change IS 'Change name.';
COMMENT ON COLUMN sqitch.changes.project IS 'Project the change belongs to.';
COMMENT ON COLUMN sqitch.changes.note IS 'The note the plan gives the change.';
COMMENT ON COLUMN sqitch.changes.committed_at IS 'When the change was deployed.';
COMMENT ON COLUMN sqitch.changes.committer_name IS 'Who deployed the change (name).';
COMMENT ON COLUMN sqitch.changes.committer_email IS 'Who deployed the change (email).';
COMMENT ON COLUMN sqitch.changes.planned_at IS 'When the change was added to the plan.';
COMMENT ON COLUMN sqitch.changes.planner_name IS 'Who added the change to the plan (name).';
COMMENT ON COLUMN sqitch.changes.planner_email IS 'Who added the change to the plan (email).';

CREATE TABLE sqitch.tags (
    tag_id          TEXT        PRIMARY KEY,
    tag             TEXT        NOT NULL,
    project         TEXT        NOT NULL REFERENCES sqitch.projects (project) ON UPDATE CASCADE,
    change_id       TEXT        NOT NULL REFERENCES sqitch.changes (change_id) ON UPDATE CASCADE,
    note            TEXT        NOT NULL DEFAULT '',
    committed_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    committer_name  TEXT        NOT NULL,
    committer_email TEXT        NOT NULL,
    planned_at      TIMESTAMPTZ NOT NULL,
    planner_name    TEXT        NOT NULL,
    planner_email   TEXT        NOT NULL,
    UNIQUE (project, tag)
);

COMMENT ON TABLE sqitch.tags IS 'The plan tags whose change is deployed right now.';
COMMENT ON COLUMN sqitch.tags.tag_id IS 'SHA-1 identifying the tag as planned.';
COMMENT ON COLUMN sqitch.tags.tag IS 'Tag name with its leading @, unique in the project.';
COMMENT ON COLUMN sqitch.tags.project IS 'Project the tag belongs to.';
COMMENT ON COLUMN sqitch.tags.change_id IS 'The change the tag follows in the plan.';
COMMENT ON COLUMN sqitch.tags.note IS 'The note the plan gives the tag.';
COMMENT ON COLUMN sqitch.tags.committed_at IS 'When the tag was recorded here.';
COMMENT ON COLUMN sqitch.tags.committer_name IS 'Who recorded the tag (name).';
COMMENT ON COLUMN sqitch.tags.committer_email IS 'Who recorded the tag (email).';
COMMENT ON COLUMN sqitch.tags.planned_at IS 'When the tag was added to the plan.';
COMMENT ON COLUMN sqitch.tags.planner_name IS 'Who added the tag to the plan (name).';
COMMENT ON COLUMN sqitch.tags.planner_email IS 'Who added the tag to the plan (email).';

CREATE TABLE sqitch.dependencies (
    change_id       TEXT        NOT NULL
                                REFERENCES sqitch.changes (change_id) ON UPDATE CASCADE ON DELETE CASCADE,
    type            TEXT        NOT NULL,
    dependency      TEXT        NOT NULL,
    dependency_id   TEXT            NULL REFERENCES sqitch.changes (change_id) ON UPDATE CASCADE
                                CONSTRAINT dependencies_check CHECK (
                                       (type = 'require' AND dependency_id IS NOT NULL)
                                    OR (type = 'conflict' AND dependency_id IS NULL)
                                ),
    PRIMARY KEY (change_id, dependency)
);

COMMENT ON TABLE sqitch.dependencies IS 'Requires and conflicts of the deployed changes.';
COMMENT ON COLUMN sqitch.dependencies.change_id IS 'The change that declares the dependency.';
COMMENT ON COLUMN sqitch.dependencies.type IS 'require or conflict.';
COMMENT ON COLUMN sqitch.dependencies.dependency IS 'The dependency as the plan writes it, without the !.';
COMMENT ON COLUMN sqitch.dependencies.dependency_id IS 'The deployed change a require points to; NULL for a conflict.';

CREATE TABLE sqitch.events (
    event           TEXT        NOT NULL
                                CONSTRAINT events_event_check CHECK (event IN ('deploy', 'revert', 'fail', 'merge')),
    change_id       TEXT        NOT NULL,
    change          TEXT        NOT NULL,
    project         TEXT        NOT NULL REFERENCES sqitch.projects (project) ON UPDATE CASCADE,
    note            TEXT        NOT NULL DEFAULT '',
    requires        TEXT[]      NOT NULL DEFAULT '{}',
    conflicts       TEXT[]      NOT NULL DEFAULT '{}',
    tags            TEXT[]      NOT NULL DEFAULT '{}',
    committed_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    committer_name  TEXT        NOT NULL,
    committer_email TEXT        NOT NULL,
    planned_at      TIMESTAMPTZ NOT NULL,
    planner_name    TEXT        NOT NULL,
    planner_email   TEXT        NOT NULL,
    PRIMARY KEY (change_id, committed_at)
);

COMMENT ON TABLE sqitch.events IS 'Every deploy, revert, fail and merge ever run here; never pruned.';
COMMENT ON COLUMN sqitch.events.event IS 'What happened: deploy, revert, fail or merge.';
COMMENT ON COLUMN sqitch.events.change_id IS 'The change it happened to.';
COMMENT ON COLUMN sqitch.events.change IS 'Change name.';
COMMENT ON COLUMN sqitch.events.project IS 'Project the change belongs to.';
COMMENT ON COLUMN sqitch.events.note IS 'The change''s note.';
COMMENT ON COLUMN sqitch.events.requires IS 'The change''s requires, as written in the plan.';
COMMENT ON COLUMN sqitch.events.conflicts IS 'The change''s conflicts, as written in the plan without the !.';
COMMENT ON COLUMN sqitch.events.tags IS 'The tags on the change, each with its leading @.';
COMMENT ON COLUMN sqitch.events.committed_at IS 'When it happened.';
COMMENT ON COLUMN sqitch.events.committer_name IS 'Who ran it (name).';
COMMENT ON COLUMN sqitch.events.committer_email IS 'Who ran it (email).';
COMMENT ON COLUMN sqitch.events.planned_at IS 'When the change was added to the plan.';
COMMENT ON COLUMN sqitch.events.planner_name IS 'Who added the change to the plan (name).';
COMMENT ON COLUMN sqitch.events.planner_email IS 'Who added the change to the plan (email).';
