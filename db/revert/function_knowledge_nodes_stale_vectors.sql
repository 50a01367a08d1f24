-- Revert vestige:function_knowledge_nodes_stale_vectors

BEGIN;
DROP FUNCTION vestige.knowledge_nodes_stale_vectors();
COMMIT;
