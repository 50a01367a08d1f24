-- Verify vestige:policy_scheduling_visibility

BEGIN;
SELECT 1 / count(*) FROM pg_catalog.pg_policies
 WHERE schemaname = 'vestige' AND tablename = 'scheduling' AND policyname = 'scheduling_select';
ROLLBACK;
