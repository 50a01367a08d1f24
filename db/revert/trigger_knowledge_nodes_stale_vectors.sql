-- Revert vestige:trigger_knowledge_nodes_stale_vectors

BEGIN;
DROP TRIGGER knowledge_nodes_stale_vectors ON vestige.knowledge_nodes;
COMMIT;
