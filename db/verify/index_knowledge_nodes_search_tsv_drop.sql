-- Verify vestige:index_knowledge_nodes_search_tsv_drop

BEGIN;
SELECT 1 / (to_regclass('vestige.knowledge_nodes_search_tsv_idx') IS NULL)::int;
ROLLBACK;
