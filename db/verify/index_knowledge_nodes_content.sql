-- Verify vestige:index_knowledge_nodes_content

BEGIN;
SELECT 1 / count(*) FROM pg_catalog.pg_indexes
 WHERE schemaname = 'vestige' AND indexname = 'knowledge_nodes_owner_content_idx';
ROLLBACK;
