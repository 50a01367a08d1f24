-- Verify vestige:table_review_events

BEGIN;
SELECT id, memory_id, reviewed_at, rating, prior_state, new_state FROM vestige.review_events WHERE false;
SELECT 1 / count(*) FROM pg_catalog.pg_class WHERE oid = 'vestige.review_events'::regclass AND relrowsecurity;
ROLLBACK;
