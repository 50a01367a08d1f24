-- Revert vestige:function_hnsw_index_sql

BEGIN;
DROP FUNCTION vestige.hnsw_index_sql(text, boolean);
COMMIT;
