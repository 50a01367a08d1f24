-- Deploy vestige:function_hnsw_index_sql
-- The one definition of the HNSW indexes on the memories' vectors (cosine, m 16,
-- ef_construction 64): register_model and reembed_rollback execute it, and `vestige migrate
-- reembed` runs what it returns for the pending model's index (CREATE INDEX CONCURRENTLY cannot
-- run inside a function). The build parameters are the constants at the top, and only there.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.hnsw_index_sql(p_column text, p_concurrently boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    c_m               CONSTANT integer := 16;
    c_ef_construction CONSTANT integer := 64;
BEGIN
    IF p_column IS NULL OR p_column NOT IN ('embedding', 'embedding_pending') THEN
        RAISE EXCEPTION 'no HNSW index is defined on column %', coalesce(quote_literal(p_column), 'NULL')
            USING ERRCODE = 'VS006', HINT = 'The indexed vector columns are embedding and embedding_pending.';
    END IF;
    RETURN format('CREATE INDEX %sIF NOT EXISTS %I ON vestige.knowledge_nodes USING hnsw (%I public.vector_cosine_ops) WITH (m = %s, ef_construction = %s)',
                  CASE WHEN coalesce(p_concurrently, false) THEN 'CONCURRENTLY ' ELSE '' END,
                  'knowledge_nodes_' || p_column || '_idx', p_column, c_m, c_ef_construction);
END
$$;

COMMENT ON FUNCTION vestige.hnsw_index_sql(text, boolean) IS
'Operator helper (vestige_app may not call it): return the CREATE INDEX [CONCURRENTLY] IF NOT EXISTS statement of the HNSW index on vestige.knowledge_nodes.embedding (knowledge_nodes_embedding_idx) or embedding_pending (knowledge_nodes_embedding_pending_idx): cosine distance, m 16, ef_construction 64, the one place these are defined. Errors: VS006 another column.';

COMMIT;
