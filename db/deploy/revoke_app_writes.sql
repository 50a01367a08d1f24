-- Deploy vestige:revoke_app_writes
-- One rule for writes: vestige_app changes memories and intentions through the API functions
-- only. Those run as the owner and check every rule (groups the caller belongs to, visibility,
-- a vector that matches the content, a scheduling row, targets the caller can see); a direct
-- INSERT, UPDATE or DELETE would be checked by row-level security on the owner alone. Reads
-- stay open to direct SQL, under the SELECT policies.

BEGIN;

COMMENT ON ROLE vestige_app IS 'Calls the vestige API; reads tables through row-level security and writes through the API functions only.';

SET LOCAL ROLE vestige_owner;

REVOKE INSERT, UPDATE, DELETE ON vestige.knowledge_nodes FROM vestige_app;
REVOKE INSERT, UPDATE, DELETE ON vestige.intentions FROM vestige_app;

DROP POLICY knowledge_nodes_insert ON vestige.knowledge_nodes;
DROP POLICY knowledge_nodes_update ON vestige.knowledge_nodes;
DROP POLICY knowledge_nodes_delete ON vestige.knowledge_nodes;
DROP POLICY intentions_owner ON vestige.intentions;

CREATE POLICY intentions_select ON vestige.intentions
    FOR SELECT TO vestige_app
    USING (owner_user_id = (SELECT vestige.current_user_id()));

COMMENT ON POLICY intentions_select ON vestige.intentions IS 'vestige_app reads the caller''s own intentions only.';

COMMIT;
