-- Deploy vestige:function_insert_memory
-- Store a memory owned by the caller, with its scheduling row. The vector, when given, must
-- belong to the registered model.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so the registry check cannot be stepped around; the caller becomes the owner.
CREATE FUNCTION vestige.insert_memory(
    p_content            text,
    p_node_type          text             DEFAULT 'fact',
    p_tags               text[]           DEFAULT '{}',
    p_source             text             DEFAULT NULL,
    p_metadata           jsonb            DEFAULT '{}',
    p_embedding          public.vector    DEFAULT NULL,
    p_model_hash         text             DEFAULT NULL,
    p_domains            text[]           DEFAULT '{}',
    p_domain_scores      jsonb            DEFAULT '{}',
    p_codebase           text             DEFAULT NULL,
    p_valid_from         timestamptz      DEFAULT NULL,
    p_valid_until        timestamptz      DEFAULT NULL,
    p_visibility         text             DEFAULT 'private',
    p_shared_with_groups uuid[]           DEFAULT '{}',
    p_protected          boolean          DEFAULT false,
    p_id                 uuid             DEFAULT NULL
)
RETURNS uuid
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_user   uuid := vestige.current_user_id();
    v_id     uuid := coalesce(p_id, gen_random_uuid());
    v_groups uuid[];
BEGIN
    PERFORM vestige.check_content(p_content);
    IF p_node_type IS NULL OR p_node_type !~ '\S' OR length(p_node_type) > 64 THEN
        RAISE EXCEPTION 'invalid node_type %', coalesce(quote_literal(p_node_type), 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Use a short type such as fact, concept, event, person, place, note, pattern, decision or reflection.';
    END IF;
    IF jsonb_typeof(coalesce(p_metadata, '{}')) <> 'object' OR jsonb_typeof(coalesce(p_domain_scores, '{}')) <> 'object' THEN
        RAISE EXCEPTION 'metadata and domain_scores must be JSON objects'
            USING ERRCODE = 'VS006', HINT = 'Pass a JSON object such as {"key": "value"}.';
    END IF;
    IF p_valid_from > p_valid_until THEN
        RAISE EXCEPTION 'valid_until (%) is before valid_from (%)', p_valid_until, p_valid_from
            USING ERRCODE = 'VS006', HINT = 'Swap the two, or leave one of them NULL.';
    END IF;
    IF p_codebase IS NOT NULL AND p_codebase !~ '\S' THEN
        RAISE EXCEPTION 'codebase is blank'
            USING ERRCODE = 'VS006', HINT = 'Pass a codebase name, or NULL for none.';
    END IF;
    v_groups := vestige.check_sharing(p_visibility, p_shared_with_groups);
    PERFORM vestige.check_embedding(p_embedding, p_model_hash);
    IF p_id IS NOT NULL AND EXISTS (SELECT FROM vestige.knowledge_nodes AS n WHERE n.id = p_id) THEN
        RAISE EXCEPTION 'a memory with id % already exists', p_id
            USING ERRCODE = 'VS013', HINT = 'Leave p_id NULL to get a new id, or update the existing memory.';
    END IF;

    INSERT INTO vestige.knowledge_nodes (
        id, content, node_type, tags, source, metadata, domains, domain_scores, codebase,
        valid_from, valid_until, owner_user_id, visibility, shared_with_groups, protected, embedding)
    VALUES (
        v_id, p_content, p_node_type, coalesce(p_tags, '{}'), p_source, coalesce(p_metadata, '{}'),
        coalesce(p_domains, '{}'), coalesce(p_domain_scores, '{}'), p_codebase,
        p_valid_from, p_valid_until, v_user, p_visibility, v_groups, coalesce(p_protected, false), p_embedding);

    INSERT INTO vestige.scheduling (memory_id) VALUES (v_id);

    RETURN v_id;
END
$$;

COMMENT ON FUNCTION vestige.insert_memory(text, text, text[], text, jsonb, public.vector, text, text[], jsonb, text, timestamptz, timestamptz, text, uuid[], boolean, uuid) IS
'Store a memory owned by the caller and return its id; it starts unreviewed (FSRS state new, due now). The embedding is optional and must match the registered model (p_model_hash). Errors: VS006 bad input (blank or > 1 MiB content, bad type, metadata not an object), VS010 sharing with a group the caller is not in, VS002/VS003/VS004/VS007 vector checks, VS013 id taken.';

GRANT EXECUTE ON FUNCTION vestige.insert_memory(text, text, text[], text, jsonb, public.vector, text, text[], jsonb, text, timestamptz, timestamptz, text, uuid[], boolean, uuid) TO vestige_app;

COMMIT;
