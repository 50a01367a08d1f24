-- Revert vestige:function_register_model (to @v0.2.0: the index parameters written here)
-- Register the embedding model. On an empty registry: stamp the vector columns as vector(N)
-- and build the HNSW index (cosine, m = 16, ef_construction = 64). The same signature again is
-- a no-op; a different one is refused, since switching models is `vestige migrate reembed`.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer because stamping the column type and building the index is DDL on owner tables.
CREATE OR REPLACE FUNCTION vestige.register_model(p_name text, p_dimension integer, p_hash text)
RETURNS TABLE (
    name               text,
    dimension          integer,
    hash               text,
    generation         bigint,
    registered_at      timestamptz,
    pending_name       text,
    pending_dimension  integer,
    pending_hash       text,
    previous_name      text,
    previous_dimension integer,
    previous_hash      text
)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_active vestige.embedding_model;
BEGIN
    PERFORM vestige.check_model_signature(p_name, p_dimension, p_hash);

    -- One registration at a time; a second caller waits and then sees the first one's row.
    LOCK TABLE vestige.embedding_model IN EXCLUSIVE MODE;

    SELECT * INTO v_active FROM vestige.embedding_model AS m WHERE m.slot = 'active';
    IF FOUND THEN
        IF (v_active.name, v_active.dimension, v_active.hash) IS DISTINCT FROM (p_name, p_dimension, p_hash) THEN
            RAISE EXCEPTION 'a different embedding model is registered: % (% dimensions, hash %), not % (% dimensions, hash %)',
                            v_active.name, v_active.dimension, v_active.hash, p_name, p_dimension, p_hash
                USING ERRCODE = 'VS005',
                      HINT = 'Run `vestige migrate reembed` to switch the embedding model, or configure the registered one.';
        END IF;
    ELSE
        EXECUTE format('ALTER TABLE vestige.knowledge_nodes ALTER COLUMN embedding TYPE public.vector(%s)', p_dimension);
        EXECUTE format('ALTER TABLE vestige.domains ALTER COLUMN centroid TYPE public.vector(%s)', p_dimension);
        CREATE INDEX knowledge_nodes_embedding_idx ON vestige.knowledge_nodes
            USING hnsw (embedding public.vector_cosine_ops) WITH (m = 16, ef_construction = 64);
        INSERT INTO vestige.embedding_model (slot, name, dimension, hash, generation)
        VALUES ('active', p_name, p_dimension, p_hash, 1);
    END IF;

    RETURN QUERY SELECT * FROM vestige.registered_model();
END
$$;

COMMENT ON FUNCTION vestige.register_model(text, integer, text) IS
'Register the embedding model (name, dimension 1-2000, sha256 hash) and return the registry. On an empty registry it types the vector columns vector(N) and builds the HNSW index (cosine, m 16, ef_construction 64); the same signature again is a no-op; a different one raises VS005 (switch with `vestige migrate reembed`).';

GRANT EXECUTE ON FUNCTION vestige.register_model(text, integer, text) TO vestige_app;

COMMIT;
