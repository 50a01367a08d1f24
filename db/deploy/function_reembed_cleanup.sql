-- Deploy vestige:function_reembed_cleanup
-- `vestige migrate cleanup`: end the rollback window by dropping the previous model's vectors,
-- centroids, index and registry row.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.reembed_cleanup()
RETURNS boolean
LANGUAGE plpgsql
VOLATILE
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_pending vestige.embedding_model;
BEGIN
    LOCK TABLE vestige.embedding_model IN EXCLUSIVE MODE;
    SELECT * INTO v_pending FROM vestige.embedding_model AS m WHERE m.slot = 'pending';
    IF FOUND THEN
        RAISE EXCEPTION 'a switch to % is in progress', v_pending.name
            USING ERRCODE = 'VS014',
                  HINT = format('Finish it with `vestige migrate reembed --model %s --resume` (or `vestige migrate rollback`), then clean up.', v_pending.name);
    END IF;
    IF NOT EXISTS (SELECT FROM vestige.embedding_model AS m WHERE m.slot = 'previous') THEN
        RETURN false;
    END IF;
    DROP INDEX IF EXISTS vestige.knowledge_nodes_embedding_previous_idx;
    ALTER TABLE vestige.knowledge_nodes DROP COLUMN embedding_previous;
    ALTER TABLE vestige.domains DROP COLUMN centroid_previous;
    DELETE FROM vestige.embedding_model AS m WHERE m.slot = 'previous';
    RETURN true;
END
$$;

COMMENT ON FUNCTION vestige.reembed_cleanup() IS
'Operator function (run by `vestige migrate cleanup`; vestige_app may not): drop the previous model''s HNSW index, vectors (knowledge_nodes.embedding_previous), centroids and registry row, ending the rollback window; return whether there was one. The dropped column''s space is reused as rows are updated (VACUUM FULL returns it at once). Errors: VS014 a switch in progress.';

COMMIT;
