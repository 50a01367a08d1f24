-- Verify vestige:table_scheduling

BEGIN;
SELECT memory_id, stability, difficulty, retrievability, state, step, reps, lapses, last_review, next_review
  FROM vestige.scheduling WHERE false;
SELECT 1 / count(*) FROM pg_catalog.pg_class WHERE oid = 'vestige.scheduling'::regclass AND relrowsecurity;
ROLLBACK;
