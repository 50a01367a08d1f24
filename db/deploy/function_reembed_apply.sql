-- Deploy vestige:function_reembed_apply
-- Move one staged batch of pending-model vectors into the memories and empty the staging.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.reembed_apply(p_model_hash text)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_pending vestige.embedding_model;
    v_dims    integer;
    v_applied integer;
BEGIN
    v_pending := vestige.pending_model(p_model_hash);
    SELECT vector_dims(s.embedding) INTO v_dims
      FROM vestige.reembed_vectors AS s WHERE vector_dims(s.embedding) <> v_pending.dimension LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'vector has % dimensions, the pending model % has %', v_dims, v_pending.name, v_pending.dimension
            USING ERRCODE = 'VS004', HINT = 'Embed with the pending model shown by `vestige migrate status`.';
    END IF;
    IF EXISTS (SELECT FROM vestige.reembed_vectors AS s WHERE vector_norm(s.embedding) = 0) THEN
        RAISE EXCEPTION 'vector is all zeros: it has no direction for cosine distance'
            USING ERRCODE = 'VS007', HINT = 'Check the embedder returns real vectors.';
    END IF;
    -- A memory whose content changed since it was read for embedding keeps no vector; the next
    -- pass reads and embeds it again.
    UPDATE vestige.knowledge_nodes AS n
       SET embedding_pending = s.embedding
      FROM vestige.reembed_vectors AS s
     WHERE n.id = s.id AND md5(n.content) = s.content_md5;
    GET DIAGNOSTICS v_applied = ROW_COUNT;
    DELETE FROM vestige.reembed_vectors;
    RETURN v_applied;
END
$$;

COMMENT ON FUNCTION vestige.reembed_apply(text) IS
'Operator function (reembed; vestige_app may not): write the vectors staged in vestige.reembed_vectors into knowledge_nodes.embedding_pending of the memories whose content still has the staged md5, empty the staging and return how many were written. Errors, before anything is written: VS014 no switch in progress, VS003 p_model_hash is not the pending model, VS004 a vector of another dimension, VS007 a zero vector.';

COMMIT;
