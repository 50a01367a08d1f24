-- Deploy vestige:table_intentions
-- Prospective memory: things to do or remember when a time, context or event comes up.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE TABLE vestige.intentions (
    id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_user_id      uuid        NOT NULL DEFAULT '00000000-0000-0000-0000-000000000001'
                                   REFERENCES vestige.users (id) ON DELETE CASCADE,
    content            text        NOT NULL CHECK (content ~ '\S' AND octet_length(content) <= 1048576),
    trigger_type       text        NOT NULL DEFAULT 'manual'
                                   CHECK (trigger_type IN ('time', 'context', 'event', 'manual')),
    trigger_data       jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(trigger_data) = 'object'),
    priority           smallint    NOT NULL DEFAULT 2 CHECK (priority BETWEEN 1 AND 4),
    status             text        NOT NULL DEFAULT 'active'
                                   CHECK (status IN ('active', 'triggered', 'fulfilled', 'cancelled', 'snoozed', 'expired')),
    deadline           timestamptz,
    snoozed_until      timestamptz,
    tags               text[]      NOT NULL DEFAULT '{}',
    related_memory_ids uuid[]      NOT NULL DEFAULT '{}',
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX intentions_owner_status_idx ON vestige.intentions (owner_user_id, status);

CREATE TRIGGER intentions_updated_at
    BEFORE UPDATE ON vestige.intentions
    FOR EACH ROW EXECUTE FUNCTION vestige.set_updated_at();

ALTER TABLE vestige.intentions ENABLE ROW LEVEL SECURITY;

COMMENT ON TABLE vestige.intentions IS 'Intentions (prospective memory): content, trigger, priority 1-4, status, deadline, owner.';

GRANT SELECT, INSERT, UPDATE, DELETE ON vestige.intentions TO vestige_app;

COMMIT;
