-- Revert vestige:revoke_app_writes

BEGIN;

COMMENT ON ROLE vestige_app IS 'Calls the vestige API; sees tables only through row-level security.';

SET LOCAL ROLE vestige_owner;

DROP POLICY intentions_select ON vestige.intentions;

CREATE POLICY intentions_owner ON vestige.intentions
    FOR ALL TO vestige_app
    USING (owner_user_id = (SELECT vestige.current_user_id()))
    WITH CHECK (owner_user_id = (SELECT vestige.current_user_id()));
COMMENT ON POLICY intentions_owner ON vestige.intentions IS 'vestige_app reads and writes the caller''s own intentions only.';

CREATE POLICY knowledge_nodes_insert ON vestige.knowledge_nodes
    FOR INSERT TO vestige_app
    WITH CHECK (owner_user_id = (SELECT vestige.current_user_id()));
CREATE POLICY knowledge_nodes_update ON vestige.knowledge_nodes
    FOR UPDATE TO vestige_app
    USING (owner_user_id = (SELECT vestige.current_user_id()))
    WITH CHECK (owner_user_id = (SELECT vestige.current_user_id()));
CREATE POLICY knowledge_nodes_delete ON vestige.knowledge_nodes
    FOR DELETE TO vestige_app
    USING (owner_user_id = (SELECT vestige.current_user_id()));
COMMENT ON POLICY knowledge_nodes_insert ON vestige.knowledge_nodes IS 'vestige_app inserts memories owned by the caller only.';
COMMENT ON POLICY knowledge_nodes_update ON vestige.knowledge_nodes IS 'vestige_app updates the caller''s own memories only.';
COMMENT ON POLICY knowledge_nodes_delete ON vestige.knowledge_nodes IS 'vestige_app deletes the caller''s own memories only.';

GRANT SELECT, INSERT, UPDATE, DELETE ON vestige.intentions TO vestige_app;
GRANT DELETE ON vestige.knowledge_nodes TO vestige_app;
GRANT INSERT (id, content, node_type, tags, source, metadata, domains, domain_scores, codebase,
              valid_from, valid_until, owner_user_id, visibility, shared_with_groups, protected)
    ON vestige.knowledge_nodes TO vestige_app;
GRANT UPDATE (content, node_type, tags, source, metadata, domains, domain_scores, codebase,
              valid_from, valid_until, visibility, shared_with_groups, protected)
    ON vestige.knowledge_nodes TO vestige_app;

COMMIT;
