-- Deploy vestige:function_pending_model
-- The pending model of a running switch, checked against the caller's model hash: the guard of
-- the steps that write the pending model's vectors or make it active.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.pending_model(p_model_hash text)
RETURNS vestige.embedding_model
LANGUAGE plpgsql
STABLE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    v_pending vestige.embedding_model;
BEGIN
    SELECT * INTO v_pending FROM vestige.embedding_model AS m WHERE m.slot = 'pending';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no model switch is in progress'
            USING ERRCODE = 'VS014', HINT = 'Start one with `vestige migrate reembed --model NAME`.';
    END IF;
    IF p_model_hash IS DISTINCT FROM v_pending.hash THEN
        RAISE EXCEPTION 'embedding model hash % is not the pending model % (hash %)',
                        coalesce(p_model_hash, 'NULL'), v_pending.name, v_pending.hash
            USING ERRCODE = 'VS003', HINT = 'Use the pending model shown by `vestige migrate status`.';
    END IF;
    RETURN v_pending;
END
$$;

COMMENT ON FUNCTION vestige.pending_model(text) IS
'Return the registry row of the pending model when p_model_hash is its hash; raise VS014 when no switch is in progress, VS003 when the hash is another one.';

COMMIT;
