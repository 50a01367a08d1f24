-- Deploy vestige:function_delete_domain
-- Delete a knowledge domain. Memories keep the domain ids they were tagged with.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer because domains have no table grants; a caller identity is still required.
CREATE FUNCTION vestige.delete_domain(p_id text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
BEGIN
    PERFORM vestige.current_user_id();
    IF p_id IS NULL OR p_id !~ '^[a-z0-9][a-z0-9_.-]{0,63}$' THEN
        RAISE EXCEPTION 'invalid domain id %', coalesce(quote_literal(p_id), 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Use up to 64 lowercase letters, digits, _, . or -, starting with a letter or digit.';
    END IF;
    DELETE FROM vestige.domains AS d WHERE d.id = p_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'domain % not found', p_id
            USING ERRCODE = 'VS008', HINT = 'List the domains with vestige.list_domains().';
    END IF;
END
$$;

COMMENT ON FUNCTION vestige.delete_domain(text) IS
'Delete a knowledge domain; memories keep the domain ids they carry. Errors: VS001 no caller identity, VS006 bad id, VS008 no such domain.';

GRANT EXECUTE ON FUNCTION vestige.delete_domain(text) TO vestige_app;

COMMIT;
