-- Verify vestige:trigger_knowledge_nodes_stale_vectors

BEGIN;
SELECT 1 / count(*) FROM pg_catalog.pg_trigger
 WHERE tgrelid = 'vestige.knowledge_nodes'::regclass AND tgname = 'knowledge_nodes_stale_vectors';
ROLLBACK;
