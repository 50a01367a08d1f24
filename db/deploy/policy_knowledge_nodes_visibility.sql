-- Deploy vestige:policy_knowledge_nodes_visibility
-- Row-level security on memories for direct SQL as vestige_app: read what is visible, write
-- only your own. The API functions run as the owner (which RLS does not apply to) and write
-- the same predicate into their queries, where the planner can use the indexes.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE POLICY knowledge_nodes_select ON vestige.knowledge_nodes
    FOR SELECT TO vestige_app
    USING (vestige.is_visible(visibility, owner_user_id, shared_with_groups,
                              (SELECT vestige.current_user_id()), (SELECT vestige.current_user_groups())));

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

COMMENT ON POLICY knowledge_nodes_select ON vestige.knowledge_nodes IS 'vestige_app sees public memories, its own, and those shared with its groups.';
COMMENT ON POLICY knowledge_nodes_insert ON vestige.knowledge_nodes IS 'vestige_app inserts memories owned by the caller only.';
COMMENT ON POLICY knowledge_nodes_update ON vestige.knowledge_nodes IS 'vestige_app updates the caller''s own memories only.';
COMMENT ON POLICY knowledge_nodes_delete ON vestige.knowledge_nodes IS 'vestige_app deletes the caller''s own memories only.';

COMMIT;
