-- Revert vestige:function_update_memory (back to the v0.2.0 version)
-- Change a memory the caller owns. NULL arguments keep the current value. New content without
-- a new vector clears the stored vector, since it no longer describes the text.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so only the owner's rows change and vectors pass the registry check.
CREATE OR REPLACE FUNCTION vestige.update_memory(
    p_id            uuid,
    p_content       text          DEFAULT NULL,
    p_node_type     text          DEFAULT NULL,
    p_tags          text[]        DEFAULT NULL,
    p_source        text          DEFAULT NULL,
    p_metadata      jsonb         DEFAULT NULL,
    p_embedding     public.vector DEFAULT NULL,
    p_model_hash    text          DEFAULT NULL,
    p_domains       text[]        DEFAULT NULL,
    p_domain_scores jsonb         DEFAULT NULL,
    p_codebase      text          DEFAULT NULL,
    p_valid_from    timestamptz   DEFAULT NULL,
    p_valid_until   timestamptz   DEFAULT NULL,
    p_protected     boolean       DEFAULT NULL,
    p_superseded_by uuid          DEFAULT NULL
)
RETURNS uuid
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_user   uuid   := vestige.current_user_id();
    v_groups uuid[] := vestige.current_user_groups();
    v_node   vestige.knowledge_nodes := vestige.check_owner(p_id);
BEGIN
    IF p_content IS NOT NULL THEN
        PERFORM vestige.check_content(p_content);
    END IF;
    IF p_node_type IS NOT NULL AND (p_node_type !~ '\S' OR length(p_node_type) > 64) THEN
        RAISE EXCEPTION 'invalid node_type %', quote_literal(p_node_type)
            USING ERRCODE = 'VS006', HINT = 'Use a short type such as fact, concept, event, note or decision.';
    END IF;
    IF jsonb_typeof(coalesce(p_metadata, '{}')) <> 'object' OR jsonb_typeof(coalesce(p_domain_scores, '{}')) <> 'object' THEN
        RAISE EXCEPTION 'metadata and domain_scores must be JSON objects'
            USING ERRCODE = 'VS006', HINT = 'Pass a JSON object such as {"key": "value"}.';
    END IF;
    IF coalesce(p_valid_from, v_node.valid_from) > coalesce(p_valid_until, v_node.valid_until) THEN
        RAISE EXCEPTION 'valid_until is before valid_from'
            USING ERRCODE = 'VS006', HINT = 'Pass a valid_until after valid_from.';
    END IF;
    IF p_codebase IS NOT NULL AND p_codebase !~ '\S' THEN
        RAISE EXCEPTION 'codebase is blank'
            USING ERRCODE = 'VS006', HINT = 'Pass a codebase name.';
    END IF;
    IF p_superseded_by IS NOT NULL THEN
        IF p_superseded_by = p_id THEN
            RAISE EXCEPTION 'a memory cannot supersede itself'
                USING ERRCODE = 'VS006', HINT = 'Pass the id of the newer memory.';
        END IF;
        PERFORM FROM vestige.knowledge_nodes AS n
         WHERE n.id = p_superseded_by
           AND vestige.is_visible(n.visibility, n.owner_user_id, n.shared_with_groups, v_user, v_groups);
        IF NOT FOUND THEN
            RAISE EXCEPTION 'superseding memory % not found', p_superseded_by
                USING ERRCODE = 'VS008', HINT = 'Pass the id of a memory you can see.';
        END IF;
    END IF;
    PERFORM vestige.check_embedding(p_embedding, p_model_hash);

    UPDATE vestige.knowledge_nodes AS n
       SET content       = coalesce(p_content, n.content),
           node_type     = coalesce(p_node_type, n.node_type),
           tags          = coalesce(p_tags, n.tags),
           source        = coalesce(p_source, n.source),
           metadata      = coalesce(p_metadata, n.metadata),
           domains       = coalesce(p_domains, n.domains),
           domain_scores = coalesce(p_domain_scores, n.domain_scores),
           codebase      = coalesce(p_codebase, n.codebase),
           valid_from    = coalesce(p_valid_from, n.valid_from),
           valid_until   = coalesce(p_valid_until, n.valid_until),
           protected     = coalesce(p_protected, n.protected),
           superseded_by = coalesce(p_superseded_by, n.superseded_by),
           embedding     = CASE
                               WHEN p_embedding IS NOT NULL THEN p_embedding
                               WHEN p_content IS NOT NULL AND p_content IS DISTINCT FROM n.content THEN NULL
                               ELSE n.embedding
                           END
     WHERE n.id = p_id;
    RETURN p_id;
END
$$;

COMMENT ON FUNCTION vestige.update_memory(uuid, text, text, text[], text, jsonb, public.vector, text, text[], jsonb, text, timestamptz, timestamptz, boolean, uuid) IS
'Change a memory the caller owns and return its id; NULL arguments keep the current value, scheduling is kept. New content without a new vector clears the stored vector. Errors: VS008 not found or not visible, VS009 not the owner, VS006 bad input, vector checks as insert_memory.';

GRANT EXECUTE ON FUNCTION vestige.update_memory(uuid, text, text, text[], text, jsonb, public.vector, text, text[], jsonb, text, timestamptz, timestamptz, boolean, uuid) TO vestige_app;

COMMIT;
