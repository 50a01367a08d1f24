-- Verify vestige:policy_knowledge_nodes_visibility

BEGIN;
SELECT 1 / (count(*) = 4)::int FROM pg_catalog.pg_policies
 WHERE schemaname = 'vestige' AND tablename = 'knowledge_nodes';
ROLLBACK;
