-- Deploy vestige:function_reembed_switch (reworked: every session compiles search_hybrid again)
-- The switch: one short transaction that makes the pending model the active one. Renaming
-- columns and indexes moves no data, so it takes as long as the locks take to get.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE OR REPLACE FUNCTION vestige.reembed_switch(p_model_hash text)
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
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_active  vestige.embedding_model;
    v_pending vestige.embedding_model;
    v_missing bigint;
BEGIN
    PERFORM vestige.reembed_lock();
    SELECT * INTO v_active FROM vestige.embedding_model AS m WHERE m.slot = 'active';
    v_pending := vestige.pending_model(p_model_hash);
    SELECT count(*) INTO v_missing FROM vestige.knowledge_nodes AS n WHERE n.embedding_pending IS NULL;
    IF v_missing > 0 THEN
        RAISE EXCEPTION '% memories have no vector for % yet', v_missing, v_pending.name
            USING ERRCODE = 'VS014',
                  HINT = format('Run `vestige migrate reembed --model %s --resume`: it embeds them and switches.', v_pending.name);
    END IF;
    IF NOT EXISTS (SELECT FROM pg_index AS i
                    WHERE i.indexrelid = to_regclass('vestige.knowledge_nodes_embedding_pending_idx') AND i.indisvalid) THEN
        RAISE EXCEPTION 'the HNSW index of % is missing or invalid', v_pending.name
            USING ERRCODE = 'VS014',
                  HINT = format('Run `vestige migrate reembed --model %s --resume`: it builds the index and switches.', v_pending.name);
    END IF;

    -- Domain centroids in the new space: the normalised mean of the member memories' vectors (one
    -- pass over the memories; a domain without members keeps no centroid).
    UPDATE vestige.domains AS d
       SET centroid_pending = c.centroid
      FROM (SELECT x.domain,
                   CASE WHEN vector_norm(avg(n.embedding_pending)) > 0
                        THEN l2_normalize(avg(n.embedding_pending)) END AS centroid
              FROM vestige.knowledge_nodes AS n
             CROSS JOIN LATERAL unnest(n.domains) AS x (domain)
             GROUP BY x.domain) AS c
     WHERE c.domain = d.id;

    ALTER TABLE vestige.knowledge_nodes RENAME COLUMN embedding TO embedding_previous;
    ALTER TABLE vestige.knowledge_nodes RENAME COLUMN embedding_pending TO embedding;
    ALTER TABLE vestige.domains RENAME COLUMN centroid TO centroid_previous;
    ALTER TABLE vestige.domains RENAME COLUMN centroid_pending TO centroid;
    ALTER INDEX IF EXISTS vestige.knowledge_nodes_embedding_idx RENAME TO knowledge_nodes_embedding_previous_idx;
    ALTER INDEX vestige.knowledge_nodes_embedding_pending_idx RENAME TO knowledge_nodes_embedding_idx;
    -- search_hybrid keeps each statement's plan for the session, and its KNN statements name the
    -- embedding column through search_candidates' row type, which no plan is invalidated by:
    -- rewriting the function's catalog row makes every session compile it again, on commit,
    -- against the renamed columns.
    ALTER FUNCTION vestige.search_hybrid(text, public.vector, text, integer, integer, double precision, text[], text[], text[],
                                         text, timestamptz, timestamptz, double precision, boolean, text) COST 100;
    COMMENT ON COLUMN vestige.knowledge_nodes.embedding IS 'Embedding of the active model; typed vector(N) and HNSW-indexed once a model is registered.';
    COMMENT ON COLUMN vestige.knowledge_nodes.embedding_previous IS 'Embedding of the previous model, kept for `vestige migrate rollback` until `vestige migrate cleanup`.';

    UPDATE vestige.embedding_model AS m SET slot = 'previous' WHERE m.slot = 'active';
    UPDATE vestige.embedding_model AS m
       SET slot = 'active', generation = v_active.generation + 1, registered_at = now()
     WHERE m.slot = 'pending';
    RETURN QUERY SELECT * FROM vestige.registered_model();
END
$$;

COMMENT ON FUNCTION vestige.reembed_switch(text) IS
'Operator function (reembed; vestige_app may not): under vestige.reembed_lock (set lock_timeout first), make the pending model (p_model_hash) the active one in one transaction: recompute the domain centroids as the normalised mean of their members'' new vectors, rename embedding to embedding_previous and embedding_pending to embedding (likewise the centroids and the HNSW indexes), move the active model to the previous slot and the pending one to active with the next generation, and return the registry as vestige.registered_model does. Errors: VS014 no switch in progress, memories still without a new vector, or the new HNSW index missing or invalid; VS003 p_model_hash is not the pending model.';

COMMIT;
