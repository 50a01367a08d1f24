-- Deploy vestige:function_reembed_prepare
-- Start a model switch (`vestige migrate reembed`): register the target as the pending model
-- and add the columns its vectors are written to, beside the active ones, so the active model
-- keeps serving while the new vectors are computed.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.reembed_prepare(p_name text, p_dimension integer, p_hash text, p_offline boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_active   vestige.embedding_model;
    v_pending  vestige.embedding_model;
    v_previous vestige.embedding_model;
BEGIN
    PERFORM vestige.check_model_signature(p_name, p_dimension, p_hash);
    LOCK TABLE vestige.embedding_model IN EXCLUSIVE MODE;

    SELECT * INTO v_active FROM vestige.embedding_model AS m WHERE m.slot = 'active';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no embedding model is registered, so there is nothing to re-embed'
            USING ERRCODE = 'VS002',
                  HINT = 'The first client to connect registers its model; reembed switches a registered one.';
    END IF;
    IF v_active.hash = p_hash THEN
        RETURN 'current';
    END IF;
    SELECT * INTO v_pending FROM vestige.embedding_model AS m WHERE m.slot = 'pending';
    IF FOUND THEN
        IF v_pending.hash = p_hash THEN
            RETURN 'pending';
        END IF;
        RAISE EXCEPTION 'a switch to % is in progress', v_pending.name
            USING ERRCODE = 'VS014',
                  HINT = format('Resume it with `vestige migrate reembed --model %s --resume`, or abandon it with `vestige migrate rollback`.', v_pending.name);
    END IF;
    SELECT * INTO v_previous FROM vestige.embedding_model AS m WHERE m.slot = 'previous';
    IF FOUND THEN
        IF v_previous.hash = p_hash THEN
            RAISE EXCEPTION '% is the previous model, kept for rollback', v_previous.name
                USING ERRCODE = 'VS014', HINT = 'Switch back to it with `vestige migrate rollback`.';
        END IF;
        RAISE EXCEPTION 'the previous model % is still kept for rollback', v_previous.name
            USING ERRCODE = 'VS014',
                  HINT = 'End the rollback window first with `vestige migrate cleanup` (it drops the previous model''s vectors), then reembed.';
    END IF;
    IF EXISTS (SELECT FROM vestige.import_state) THEN
        RAISE EXCEPTION 'a bulk import (`vestige migrate copy`) is running or was interrupted'
            USING ERRCODE = 'VS014',
                  HINT = 'Let it finish, or run the same copy again to finish it, then reembed.';
    END IF;

    EXECUTE format('ALTER TABLE vestige.knowledge_nodes ADD COLUMN embedding_pending public.vector(%s)', p_dimension);
    EXECUTE format('ALTER TABLE vestige.domains ADD COLUMN centroid_pending public.vector(%s)', p_dimension);
    COMMENT ON COLUMN vestige.knowledge_nodes.embedding_pending IS 'Embedding of the pending model (a running reembed).';
    IF p_offline THEN
        -- The maintenance-window path: no old index to maintain while every row is rewritten;
        -- vector searches fall back to an exact scan until the switch.
        DROP INDEX IF EXISTS vestige.knowledge_nodes_embedding_idx;
    END IF;
    INSERT INTO vestige.embedding_model (slot, name, dimension, hash, generation)
    VALUES ('pending', p_name, p_dimension, p_hash, v_active.generation + 1);
    RETURN 'prepared';
END
$$;

COMMENT ON FUNCTION vestige.reembed_prepare(text, integer, text, boolean) IS
'Operator function (run by `vestige migrate reembed` as the owner or a superuser; vestige_app may not): make the model (name, dimension, hash) the pending one and add knowledge_nodes.embedding_pending and domains.centroid_pending typed vector(dimension); with p_offline also drop the active HNSW index. Returns ''prepared'', ''pending'' when that model is already pending (resume), or ''current'' when it is the active model (nothing to do). Errors: VS006 bad signature, VS002 nothing registered, VS014 another model pending, a previous model still kept for rollback (or the target is that previous model), or a bulk import running.';

COMMIT;
