-- Deploy vestige:policy_scheduling_visibility
-- Row-level security: a scheduling row is visible to vestige_app when its memory is (the
-- subquery on knowledge_nodes is itself filtered by that table's policy). Read only.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE POLICY scheduling_select ON vestige.scheduling
    FOR SELECT TO vestige_app
    USING (EXISTS (SELECT FROM vestige.knowledge_nodes AS n WHERE n.id = memory_id));

COMMENT ON POLICY scheduling_select ON vestige.scheduling IS 'vestige_app sees scheduling rows of the memories it can see.';

COMMIT;
