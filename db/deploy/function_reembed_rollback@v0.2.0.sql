-- Deploy vestige:function_reembed_rollback
-- `vestige migrate rollback`: abandon a switch in progress, or, after a switch and before
-- cleanup, put the previous model back in the pending slot so the switch machinery (catch-up
-- of the memories written since, then vestige.reembed_switch) makes it active again.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.reembed_rollback()
RETURNS text
LANGUAGE plpgsql
VOLATILE
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_active  vestige.embedding_model;
    v_pending vestige.embedding_model;
BEGIN
    LOCK TABLE vestige.embedding_model IN EXCLUSIVE MODE;
    SELECT * INTO v_active FROM vestige.embedding_model AS m WHERE m.slot = 'active';
    SELECT * INTO v_pending FROM vestige.embedding_model AS m WHERE m.slot = 'pending';
    IF FOUND THEN
        IF v_pending.generation < v_active.generation THEN
            -- An interrupted rollback: the way back is already prepared.
            RETURN 'rolling_back';
        END IF;
        DROP INDEX IF EXISTS vestige.knowledge_nodes_embedding_pending_idx;
        ALTER TABLE vestige.knowledge_nodes DROP COLUMN embedding_pending;
        ALTER TABLE vestige.domains DROP COLUMN centroid_pending;
        DELETE FROM vestige.embedding_model AS m WHERE m.slot = 'pending';
        -- An abandoned --offline run dropped the active index: build it again (the definition
        -- of vestige.register_model).
        CREATE INDEX IF NOT EXISTS knowledge_nodes_embedding_idx ON vestige.knowledge_nodes
            USING hnsw (embedding public.vector_cosine_ops) WITH (m = 16, ef_construction = 64);
        RETURN 'abandoned';
    END IF;
    IF NOT EXISTS (SELECT FROM vestige.embedding_model AS m WHERE m.slot = 'previous') THEN
        RAISE EXCEPTION 'there is nothing to roll back: no switch is in progress and no previous model is kept'
            USING ERRCODE = 'VS014',
                  HINT = 'The previous vectors are gone after `vestige migrate cleanup` or an --offline run: restore the backup taken before the switch, or reembed to the old model.';
    END IF;
    ALTER TABLE vestige.knowledge_nodes RENAME COLUMN embedding_previous TO embedding_pending;
    ALTER TABLE vestige.domains RENAME COLUMN centroid_previous TO centroid_pending;
    ALTER INDEX IF EXISTS vestige.knowledge_nodes_embedding_previous_idx RENAME TO knowledge_nodes_embedding_pending_idx;
    COMMENT ON COLUMN vestige.knowledge_nodes.embedding_pending IS 'Embedding of the pending model (a running reembed).';
    UPDATE vestige.embedding_model AS m SET slot = 'pending' WHERE m.slot = 'previous';
    RETURN 'rolling_back';
END
$$;

COMMENT ON FUNCTION vestige.reembed_rollback() IS
'Operator function (run by `vestige migrate rollback`; vestige_app may not). With a switch in progress: drop its pending model, column and index (and rebuild the active HNSW index if an --offline run dropped it) and return ''abandoned''. After a switch, before cleanup: move the previous model, its vectors and index back to the pending slot (keeping its older generation, which marks a rollback) and return ''rolling_back''; the caller then embeds the memories written since with that model and calls vestige.reembed_switch. An interrupted rollback returns ''rolling_back'' again. Errors: VS014 nothing to roll back.';

COMMIT;
