-- Deploy vestige:policy_intentions_owner
-- Row-level security: intentions are private to their owner, for reads and writes.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE POLICY intentions_owner ON vestige.intentions
    FOR ALL TO vestige_app
    USING (owner_user_id = (SELECT vestige.current_user_id()))
    WITH CHECK (owner_user_id = (SELECT vestige.current_user_id()));

COMMENT ON POLICY intentions_owner ON vestige.intentions IS 'vestige_app reads and writes the caller''s own intentions only.';

COMMIT;
