-- Deploy vestige:function_reembed_status
-- Where a model switch stands: the active, pending and previous models, how many memories have
-- a vector for each, the state of each HNSW index, and the sizes a dry run estimates from.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so the counts cover every user's memories (under row-level security the
-- application role would count only its own); it returns counts and sizes, never content.
CREATE FUNCTION vestige.reembed_status()
RETURNS TABLE (
    active_name        text,
    active_dimension   integer,
    active_hash        text,
    generation         bigint,
    pending_name       text,
    pending_dimension  integer,
    pending_hash       text,
    rolling_back       boolean,
    previous_name      text,
    previous_dimension integer,
    previous_hash      text,
    memories           bigint,
    active_missing     bigint,
    pending_missing    bigint,
    previous_missing   bigint,
    active_index       text,
    pending_index      text,
    previous_index     text,
    import_running     boolean,
    table_bytes        bigint,
    index_bytes        bigint
)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_active   vestige.embedding_model;
    v_pending  vestige.embedding_model;
    v_previous vestige.embedding_model;
    v_states   text[];
BEGIN
    SELECT * INTO v_active FROM vestige.embedding_model AS m WHERE m.slot = 'active';
    SELECT * INTO v_pending FROM vestige.embedding_model AS m WHERE m.slot = 'pending';
    SELECT * INTO v_previous FROM vestige.embedding_model AS m WHERE m.slot = 'previous';
    active_name := v_active.name;
    active_dimension := v_active.dimension;
    active_hash := v_active.hash;
    generation := v_active.generation;
    pending_name := v_pending.name;
    pending_dimension := v_pending.dimension;
    pending_hash := v_pending.hash;
    -- A pending model older than the active one is the way back of a rollback.
    rolling_back := v_pending.generation < v_active.generation;
    previous_name := v_previous.name;
    previous_dimension := v_previous.dimension;
    previous_hash := v_previous.hash;
    SELECT count(*), count(*) FILTER (WHERE n.embedding IS NULL)
      INTO memories, active_missing
      FROM vestige.knowledge_nodes AS n;
    -- These columns exist only while their registry row does (the same transactions add and
    -- drop both), so each statement runs only when its column is there.
    IF v_pending.slot IS NOT NULL THEN
        SELECT count(*) INTO pending_missing FROM vestige.knowledge_nodes AS n WHERE n.embedding_pending IS NULL;
    END IF;
    IF v_previous.slot IS NOT NULL THEN
        SELECT count(*) INTO previous_missing FROM vestige.knowledge_nodes AS n WHERE n.embedding_previous IS NULL;
    END IF;
    SELECT array_agg(CASE i.indisvalid WHEN true THEN 'valid' WHEN false THEN 'invalid' ELSE 'missing' END
                     ORDER BY x.ord)
      INTO v_states
      FROM (VALUES (1, 'vestige.knowledge_nodes_embedding_idx'),
                   (2, 'vestige.knowledge_nodes_embedding_pending_idx'),
                   (3, 'vestige.knowledge_nodes_embedding_previous_idx')) AS x (ord, idx)
      LEFT JOIN pg_index AS i ON i.indexrelid = to_regclass(x.idx);
    active_index := v_states[1];
    pending_index := v_states[2];
    previous_index := v_states[3];
    import_running := EXISTS (SELECT FROM vestige.import_state);
    table_bytes := pg_table_size('vestige.knowledge_nodes');
    index_bytes := coalesce(pg_relation_size(to_regclass('vestige.knowledge_nodes_embedding_idx')), 0);
    RETURN NEXT;
END
$$;

COMMENT ON FUNCTION vestige.reembed_status() IS
'Return one row on the embedding models and a model switch: the active model (name, dimension, hash, generation), the pending one (the target of a running reembed; rolling_back when it is the previous model on its way back) and the previous one (kept for rollback until cleanup), NULL when absent; memories over all users and how many lack a vector of the active, pending and previous model (NULL without that model); the state of each HNSW index (knowledge_nodes_embedding_idx, _pending_idx, _previous_idx: valid, invalid or missing); whether a bulk import is running; the table size and the active index size in bytes.';

GRANT EXECUTE ON FUNCTION vestige.reembed_status() TO vestige_app;

COMMIT;
