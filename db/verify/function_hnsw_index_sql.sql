-- Verify vestige:function_hnsw_index_sql

BEGIN;
SELECT 1 / (vestige.hnsw_index_sql('embedding') LIKE 'CREATE INDEX IF NOT EXISTS knowledge_nodes_embedding_idx %')::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege('vestige_app', 'vestige.hnsw_index_sql(text, boolean)', 'EXECUTE'))::int;
ROLLBACK;
