-- Deploy vestige:function_health
-- The state of the deployment for monitoring: versions, the registered model, memory counts
-- over all users (counts only, no content), and whether the HNSW index is valid. Needs no
-- caller identity, so a probe can call it with the application role alone.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so a monitoring probe can count every user's memories without seeing any of them.
CREATE FUNCTION vestige.health()
RETURNS TABLE (
    status                     text,
    reasons                    text[],
    postgres_version           text,
    pgvector_version           text,
    model_name                 text,
    model_dimension            integer,
    model_generation           bigint,
    memories                   bigint,
    memories_without_embedding bigint,
    hnsw_index_valid           boolean,
    fts_language               text
)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_reasons   text[] := '{}';
    v_model     vestige.embedding_model;
    v_memories  bigint;
    v_missing   bigint;
    v_index     regclass := to_regclass('vestige.knowledge_nodes_embedding_idx');
    v_valid     boolean;
BEGIN
    SELECT * INTO v_model FROM vestige.embedding_model AS m WHERE m.slot = 'active';
    SELECT count(*), count(*) FILTER (WHERE n.embedding IS NULL)
      INTO v_memories, v_missing
      FROM vestige.knowledge_nodes AS n;
    IF v_index IS NOT NULL THEN
        SELECT i.indisvalid INTO v_valid FROM pg_catalog.pg_index AS i WHERE i.indexrelid = v_index;
    END IF;

    IF v_model.slot IS NULL THEN
        v_reasons := v_reasons || 'no embedding model registered'::text;
    ELSIF v_index IS NULL THEN
        v_reasons := v_reasons || 'HNSW index missing'::text;
    END IF;
    IF v_valid IS FALSE THEN
        v_reasons := v_reasons || 'HNSW index invalid'::text;
    END IF;
    IF v_missing > 0 THEN
        v_reasons := v_reasons || format('memories without embedding: %s', v_missing);
    END IF;

    RETURN QUERY
    SELECT CASE WHEN cardinality(v_reasons) = 0 THEN 'ok' ELSE 'degraded' END,
           v_reasons,
           current_setting('server_version'),
           (SELECT e.extversion::text FROM pg_catalog.pg_extension AS e WHERE e.extname = 'vector'),
           v_model.name,
           v_model.dimension,
           v_model.generation,
           v_memories,
           v_missing,
           v_valid,
           (SELECT st.fts_language::text FROM vestige.settings AS st);
END
$$;

COMMENT ON FUNCTION vestige.health() IS
'Return the state of the deployment (one row, no caller identity needed, counts only): status ''ok'', or ''degraded'' with reasons (''no embedding model registered'', ''HNSW index missing'', ''HNSW index invalid'', ''memories without embedding: N''), the PostgreSQL and pgvector versions, the active model (name, dimension, generation), memories and memories_without_embedding over all users, hnsw_index_valid (pg_index.indisvalid of vestige.knowledge_nodes_embedding_idx, NULL when absent) and the full-text language. Raises no project error.';

GRANT EXECUTE ON FUNCTION vestige.health() TO vestige_app;

COMMIT;
