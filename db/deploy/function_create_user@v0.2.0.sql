-- Deploy vestige:function_create_user
-- Provision a user. The trusted server calls it (for example on first sight of an account), so
-- it needs no caller identity.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so users are created only through this check, not by direct SQL as vestige_app.
CREATE FUNCTION vestige.create_user(
    p_handle       text,
    p_display_name text DEFAULT NULL,
    p_id           uuid DEFAULT NULL
)
RETURNS uuid
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, public, pg_temp
AS $$
DECLARE
    v_id uuid;
BEGIN
    IF p_handle IS NULL OR p_handle !~ '^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$' THEN
        RAISE EXCEPTION 'invalid handle %', coalesce(quote_literal(p_handle), 'NULL')
            USING ERRCODE = 'VS006',
                  HINT = 'Use 1 to 64 letters, digits and _ . @ -, starting with a letter or digit.';
    END IF;

    INSERT INTO vestige.users (id, handle, display_name)
    VALUES (coalesce(p_id, gen_random_uuid()), p_handle, p_display_name)
    ON CONFLICT DO NOTHING
    RETURNING id INTO v_id;

    IF v_id IS NULL THEN
        IF EXISTS (SELECT FROM vestige.users AS u WHERE u.handle = p_handle) THEN
            RAISE EXCEPTION 'handle % is already taken', quote_literal(p_handle)
                USING ERRCODE = 'VS013', HINT = 'Choose another handle.';
        END IF;
        RAISE EXCEPTION 'a user with id % already exists', p_id
            USING ERRCODE = 'VS013', HINT = 'Leave p_id NULL to get a new id.';
    END IF;
    RETURN v_id;
END
$$;

COMMENT ON FUNCTION vestige.create_user(text, text, uuid) IS
'Create a user and return its id (p_id, or a new one). Needs no caller identity: the trusted server provisions users. Errors: VS006 bad handle (1-64 letters, digits and _ . @ -, starting with a letter or digit), VS013 handle or id already taken.';

GRANT EXECUTE ON FUNCTION vestige.create_user(text, text, uuid) TO vestige_app;

COMMIT;
