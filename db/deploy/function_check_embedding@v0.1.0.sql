-- Deploy vestige:function_check_embedding
-- The registry check every vector goes through before it is stored or compared: a model must
-- be registered, the caller's model hash must be the active one, the dimension must match and
-- the vector must have a direction. A mismatched vector is never stored and never compared.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.check_embedding(p_embedding public.vector, p_model_hash text)
RETURNS public.vector
LANGUAGE plpgsql
STABLE PARALLEL SAFE
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_model vestige.embedding_model;
BEGIN
    IF p_embedding IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT * INTO v_model FROM vestige.embedding_model AS m WHERE m.slot = 'active';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no embedding model is registered'
            USING ERRCODE = 'VS002',
                  HINT = 'Register the model first: SELECT * FROM vestige.register_model(p_name => ..., p_dimension => ..., p_hash => ...).';
    END IF;
    IF p_model_hash IS DISTINCT FROM v_model.hash THEN
        RAISE EXCEPTION 'embedding model hash % is not the registered model % (hash %, generation %)',
                        coalesce(p_model_hash, 'NULL'), v_model.name, v_model.hash, v_model.generation
            USING ERRCODE = 'VS003',
                  HINT = 'Embed with the registered model (reload it with vestige.registered_model()), or switch models with `vestige migrate reembed`.';
    END IF;
    IF vector_dims(p_embedding) <> v_model.dimension THEN
        RAISE EXCEPTION 'vector has % dimensions, the registered model % has %',
                        vector_dims(p_embedding), v_model.name, v_model.dimension
            USING ERRCODE = 'VS004',
                  HINT = 'Embed with the registered model; its dimension is in vestige.registered_model().';
    END IF;
    IF vector_norm(p_embedding) = 0 THEN
        RAISE EXCEPTION 'vector is all zeros: it has no direction for cosine distance'
            USING ERRCODE = 'VS007',
                  HINT = 'Embed non-empty text, and check the embedder returns real vectors.';
    END IF;
    RETURN p_embedding;
END
$$;

COMMENT ON FUNCTION vestige.check_embedding(public.vector, text) IS
'Return the vector when it belongs to the active registered model, else raise: VS002 nothing registered, VS003 other model hash, VS004 other dimension, VS007 zero vector. NULL passes through.';

COMMIT;
