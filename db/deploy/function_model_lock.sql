-- Deploy vestige:function_model_lock
-- The model lock: every vector read or write holds it shared to the end of its transaction
-- (vestige.check_embedding takes it), and a model switch holds it exclusively. So a switch
-- waits for the vector work in flight, and the work that follows reads the switched registry.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.model_lock(p_exclusive boolean)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
BEGIN
    IF p_exclusive THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('vestige.embedding_model', 0));
    ELSE
        PERFORM pg_advisory_xact_lock_shared(hashtextextended('vestige.embedding_model', 0));
    END IF;
END
$$;

COMMENT ON FUNCTION vestige.model_lock(boolean) IS
'Take the model lock (a transaction advisory lock on hashtextextended(''vestige.embedding_model'', 0)) shared, or exclusive when p_exclusive: vector reads and writes hold it shared through vestige.check_embedding, a model switch (vestige.reembed_switch) exclusively. Waits are bounded by the session lock_timeout.';

COMMIT;
