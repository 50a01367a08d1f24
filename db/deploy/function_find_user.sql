-- Deploy vestige:function_find_user
-- Resolve a user handle to its id. The trusted server calls it when its configuration names
-- the caller by handle, before any identity is set.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so vestige_app resolves one handle at a time without reading vestige.users.
CREATE FUNCTION vestige.find_user(p_handle text)
RETURNS uuid
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_id uuid;
BEGIN
    SELECT u.id INTO v_id FROM vestige.users AS u WHERE u.handle = p_handle;
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'no user has the handle %', coalesce(quote_literal(p_handle), 'NULL')
            USING ERRCODE = 'VS011',
                  HINT = 'Create it with vestige.create_user (vestige user create HANDLE), or use its uuid.';
    END IF;
    RETURN v_id;
END
$$;

COMMENT ON FUNCTION vestige.find_user(text) IS
'Return the id of the user with this handle. Needs no caller identity: the trusted server resolves the configured user with it. Errors: VS011 no user has that handle.';

GRANT EXECUTE ON FUNCTION vestige.find_user(text) TO vestige_app;

COMMIT;
