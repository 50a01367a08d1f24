-- Deploy vestige:policy_edges_visibility
-- Row-level security: an edge is visible to vestige_app when both of its memories are. Read only.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE POLICY edges_select ON vestige.edges
    FOR SELECT TO vestige_app
    USING (EXISTS (SELECT FROM vestige.knowledge_nodes AS n WHERE n.id = source_id)
       AND EXISTS (SELECT FROM vestige.knowledge_nodes AS n WHERE n.id = target_id));

COMMENT ON POLICY edges_select ON vestige.edges IS 'vestige_app sees edges whose two memories it can see.';

COMMIT;
