-- Verify vestige:policy_edges_visibility

BEGIN;
SELECT 1 / count(*) FROM pg_catalog.pg_policies
 WHERE schemaname = 'vestige' AND tablename = 'edges' AND policyname = 'edges_select';
ROLLBACK;
