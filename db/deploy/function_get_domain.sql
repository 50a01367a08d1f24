-- Deploy vestige:function_get_domain
-- One knowledge domain, without its centroid vector.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer because domains have no table grants; a caller identity is still required.
CREATE FUNCTION vestige.get_domain(p_id text)
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
STABLE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
BEGIN
    PERFORM vestige.current_user_id();
    IF p_id IS NULL OR p_id !~ '^[a-z0-9][a-z0-9_.-]{0,63}$' THEN
        RAISE EXCEPTION 'invalid domain id %', coalesce(quote_literal(p_id), 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Use up to 64 lowercase letters, digits, _, . or -, starting with a letter or digit.';
    END IF;
    RETURN QUERY
    SELECT d.id, d.label, d.centroid IS NOT NULL, d.top_terms, d.memory_count, d.metadata, d.updated_at
      FROM vestige.domains AS d
     WHERE d.id = p_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'domain % not found', p_id
            USING ERRCODE = 'VS008', HINT = 'List the domains with vestige.list_domains().';
    END IF;
END
$$;

COMMENT ON FUNCTION vestige.get_domain(text) IS
'Return one knowledge domain with has_centroid instead of the vector. Errors: VS001 no caller identity, VS006 bad id, VS008 no such domain.';

GRANT EXECUTE ON FUNCTION vestige.get_domain(text) TO vestige_app;

COMMIT;
