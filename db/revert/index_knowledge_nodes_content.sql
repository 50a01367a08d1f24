-- Revert vestige:index_knowledge_nodes_content

BEGIN;
DROP INDEX vestige.knowledge_nodes_owner_content_idx;
COMMIT;
