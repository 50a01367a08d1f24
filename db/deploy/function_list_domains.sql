-- Deploy vestige:function_list_domains
-- Every knowledge domain, without centroid vectors.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer because domains have no table grants; a caller identity is still required.
CREATE FUNCTION vestige.list_domains()
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
    RETURN QUERY
    SELECT d.id, d.label, d.centroid IS NOT NULL, d.top_terms, d.memory_count, d.metadata, d.updated_at
      FROM vestige.domains AS d
     ORDER BY d.id;
END
$$;

COMMENT ON FUNCTION vestige.list_domains() IS
'Return every knowledge domain ordered by id, with has_centroid instead of the vector. Errors: VS001 no caller identity.';

GRANT EXECUTE ON FUNCTION vestige.list_domains() TO vestige_app;

COMMIT;
