-- Deploy vestige:policy_review_events_visibility
-- Row-level security: a review_events row is visible to vestige_app when its memory is (the
-- subquery on knowledge_nodes is itself filtered by that table's policy). Read only.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE POLICY review_events_select ON vestige.review_events
    FOR SELECT TO vestige_app
    USING (EXISTS (SELECT FROM vestige.knowledge_nodes AS n WHERE n.id = memory_id));

COMMENT ON POLICY review_events_select ON vestige.review_events IS 'vestige_app sees review_events rows of the memories it can see.';

COMMIT;
