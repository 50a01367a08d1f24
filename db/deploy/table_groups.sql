-- Deploy vestige:table_groups
-- Named groups of users; memories shared with a group are visible to its members.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE TABLE vestige.groups (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text        NOT NULL UNIQUE CHECK (name ~ '^\S(.{0,126}\S)?$'),
    created_by uuid        NOT NULL REFERENCES vestige.users (id),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX groups_created_by_idx ON vestige.groups (created_by);

COMMENT ON TABLE vestige.groups IS 'Groups of users that memories can be shared with.';

COMMIT;
