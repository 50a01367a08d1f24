-- Deploy vestige:function_redact_stored
-- Redact the secrets already stored: what `vestige secrets redact` writes. A memory's text and
-- its vector change together (the client embeds the redacted text, which this function checks
-- is what vestige.redact_secrets makes of the stored one, so a memory changed meanwhile is left
-- for the next run); an intention has no vector and is redacted here. Operator only.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.redact_stored_memory(
    p_id         uuid,
    p_content    text,
    p_embedding  public.vector DEFAULT NULL,
    p_model_hash text          DEFAULT NULL
)
RETURNS boolean
LANGUAGE plpgsql
VOLATILE
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
BEGIN
    PERFORM vestige.check_embedding(p_embedding, p_model_hash);
    UPDATE vestige.knowledge_nodes AS n
       SET content = p_content, embedding = p_embedding
     WHERE n.id = p_id AND n.content <> p_content AND vestige.redact_secrets(n.content) = p_content;
    RETURN FOUND;
END
$$;

COMMENT ON FUNCTION vestige.redact_stored_memory(uuid, text, public.vector, text) IS
'Operator function (`vestige secrets redact`; vestige_app may not): store p_content and its vector (of the registered model, checked as insert_memory does; NULL for none) in memory p_id when p_content is vestige.redact_secrets of its current content and differs from it. Returns true when the memory was redacted, false when it holds no secret, changed since p_content was computed, or is gone. Strengths, scheduling and edges are kept.';

CREATE FUNCTION vestige.redact_stored_intentions()
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    v_count integer;
BEGIN
    UPDATE vestige.intentions AS i
       SET content = vestige.redact_secrets(i.content)
     WHERE EXISTS (SELECT FROM vestige.find_secrets(i.content));
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

COMMENT ON FUNCTION vestige.redact_stored_intentions() IS
'Operator function (`vestige secrets redact`; vestige_app may not): replace every secret in the stored intentions by [REDACTED:<kind>] (vestige.redact_secrets) and return how many intentions changed.';

COMMIT;
