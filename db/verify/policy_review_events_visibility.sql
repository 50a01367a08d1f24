-- Verify vestige:policy_review_events_visibility

BEGIN;
SELECT 1 / count(*) FROM pg_catalog.pg_policies
 WHERE schemaname = 'vestige' AND tablename = 'review_events' AND policyname = 'review_events_select';
ROLLBACK;
