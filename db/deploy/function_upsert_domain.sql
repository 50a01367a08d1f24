-- Deploy vestige:function_upsert_domain
-- Create a knowledge domain or change the given fields of an existing one. Domains are
-- deployment-wide; the centroid must belong to the registered model.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer because domains have no table grants; the centroid goes through the registry check.
CREATE FUNCTION vestige.upsert_domain(
    p_id           text,
    p_label        text,
    p_centroid     public.vector DEFAULT NULL,
    p_model_hash   text          DEFAULT NULL,
    p_top_terms    text[]        DEFAULT NULL,
    p_memory_count integer       DEFAULT NULL,
    p_metadata     jsonb         DEFAULT NULL
)
RETURNS TABLE (
    id           text,
    label        text,
    has_centroid boolean,
    top_terms    text[],
    memory_count integer,
    metadata     jsonb,
    updated_at   timestamptz
)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
BEGIN
    PERFORM vestige.current_user_id();
    IF p_id IS NULL OR p_id !~ '^[a-z0-9][a-z0-9_.-]{0,63}$' THEN
        RAISE EXCEPTION 'invalid domain id %', coalesce(quote_literal(p_id), 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Use up to 64 lowercase letters, digits, _, . or -, starting with a letter or digit, e.g. databases.';
    END IF;
    IF p_label IS NOT NULL AND p_label !~ '\S' THEN
        RAISE EXCEPTION 'domain label is blank'
            USING ERRCODE = 'VS006', HINT = 'Pass a label, or NULL to keep the current one.';
    END IF;
    IF p_top_terms IS NOT NULL AND array_position(p_top_terms, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'top_terms contains NULL'
            USING ERRCODE = 'VS006', HINT = 'Pass an array of terms without NULLs.';
    END IF;
    IF p_memory_count < 0 THEN
        RAISE EXCEPTION 'invalid memory_count %: must be 0 or more', p_memory_count
            USING ERRCODE = 'VS006', HINT = 'Pass the number of memories in the domain.';
    END IF;
    IF jsonb_typeof(p_metadata) <> 'object' THEN
        RAISE EXCEPTION 'metadata must be a JSON object'
            USING ERRCODE = 'VS006', HINT = 'Pass a JSON object such as {"key": "value"}.';
    END IF;
    PERFORM vestige.check_embedding(p_centroid, p_model_hash);

    IF p_label IS NULL THEN
        RETURN QUERY
        UPDATE vestige.domains AS d
           SET centroid     = coalesce(p_centroid, d.centroid),
               top_terms    = coalesce(p_top_terms, d.top_terms),
               memory_count = coalesce(p_memory_count, d.memory_count),
               metadata     = coalesce(p_metadata, d.metadata)
         WHERE d.id = p_id
        RETURNING d.id, d.label, d.centroid IS NOT NULL, d.top_terms, d.memory_count, d.metadata, d.updated_at;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'domain % does not exist and a new domain needs a label', p_id
                USING ERRCODE = 'VS006', HINT = 'Pass p_label to create the domain.';
        END IF;
    ELSE
        RETURN QUERY
        INSERT INTO vestige.domains AS d (id, label, centroid, top_terms, memory_count, metadata)
        VALUES (p_id, p_label, p_centroid, coalesce(p_top_terms, '{}'), coalesce(p_memory_count, 0),
                coalesce(p_metadata, '{}'))
        ON CONFLICT ON CONSTRAINT domains_pkey DO UPDATE
           SET label        = EXCLUDED.label,
               centroid     = coalesce(p_centroid, d.centroid),
               top_terms    = coalesce(p_top_terms, d.top_terms),
               memory_count = coalesce(p_memory_count, d.memory_count),
               metadata     = coalesce(p_metadata, d.metadata)
        RETURNING d.id, d.label, d.centroid IS NOT NULL, d.top_terms, d.memory_count, d.metadata, d.updated_at;
    END IF;
END
$$;

COMMENT ON FUNCTION vestige.upsert_domain(text, text, public.vector, text, text[], integer, jsonb) IS
'Create a knowledge domain (a label is required) or update an existing one, where NULL arguments keep the current values; return the domain with has_centroid instead of the vector. The centroid must match the registered model (p_model_hash). Errors: VS001 no caller identity, VS006 bad id, blank or missing label, negative memory_count, metadata not an object, NULL term; VS002/VS003/VS004/VS007 centroid checks.';

GRANT EXECUTE ON FUNCTION vestige.upsert_domain(text, text, public.vector, text, text[], integer, jsonb) TO vestige_app;

COMMIT;
