-- Deploy vestige:table_group_memberships
-- Who belongs to which group, as member or admin (admins manage the membership).

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE TABLE vestige.group_memberships (
    group_id  uuid        NOT NULL REFERENCES vestige.groups (id) ON DELETE CASCADE,
    user_id   uuid        NOT NULL REFERENCES vestige.users (id) ON DELETE CASCADE,
    role      text        NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'admin')),
    joined_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, user_id)
);

CREATE INDEX group_memberships_user_id_idx ON vestige.group_memberships (user_id);

COMMENT ON TABLE vestige.group_memberships IS 'Membership of users in groups, with role member or admin.';

COMMIT;
