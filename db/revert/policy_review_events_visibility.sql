-- Revert vestige:policy_review_events_visibility

BEGIN;
DROP POLICY review_events_select ON vestige.review_events;
COMMIT;
