-- Verify vestige:policy_knowledge_nodes_visibility
-- The select policy (the write policies are dropped again by revoke_app_writes).

BEGIN;
SELECT 1 / count(*) FROM pg_catalog.pg_policies
 WHERE schemaname = 'vestige' AND tablename = 'knowledge_nodes' AND policyname = 'knowledge_nodes_select';
ROLLBACK;
