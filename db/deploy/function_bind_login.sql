-- Deploy vestige:function_bind_login
-- Make a login role a personal login: its sessions are always this user, whatever they set in
-- vestige.user_id (see current_user_id). p_role NULL removes the user's binding. An operator
-- function: not granted to vestige_app.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.bind_login(p_user_id uuid, p_role text)
RETURNS TABLE (user_id uuid, handle text, login_role text)
LANGUAGE plpgsql
VOLATILE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    v_role pg_catalog.pg_roles;
BEGIN
    IF p_role IS NOT NULL THEN
        SELECT * INTO v_role FROM pg_catalog.pg_roles AS r WHERE r.rolname = p_role;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'no login role %', quote_ident(p_role)
                USING ERRCODE = 'VS006',
                      HINT = pg_catalog.format('Create it first: CREATE ROLE %I LOGIN IN ROLE vestige_app.', p_role);
        END IF;
        IF NOT v_role.rolcanlogin OR v_role.rolsuper THEN
            RAISE EXCEPTION 'role % cannot be a personal login: it is %', quote_ident(p_role),
                  CASE WHEN v_role.rolsuper THEN 'a superuser (it bypasses row-level security)' ELSE 'not a login role' END
                USING ERRCODE = 'VS006',
                      HINT = 'Bind a login role (LOGIN, not SUPERUSER) that is a member of vestige_app.';
        END IF;
        IF EXISTS (SELECT FROM vestige.users AS u WHERE u.login_role = p_role AND u.id <> p_user_id) THEN
            RAISE EXCEPTION 'login role % is already bound to user %', quote_ident(p_role),
                  (SELECT u.handle FROM vestige.users AS u WHERE u.login_role = p_role)
                USING ERRCODE = 'VS013',
                      HINT = 'Unbind it from that user first: SELECT vestige.bind_login(''<that user''''s id>'', NULL).';
        END IF;
    END IF;

    RETURN QUERY
    WITH bound AS (
        UPDATE vestige.users AS u SET login_role = p_role
         WHERE u.id = p_user_id
        RETURNING u.id, u.handle, u.login_role
    )
    SELECT * FROM bound;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown user %', p_user_id
            USING ERRCODE = 'VS011', HINT = 'Check the id: vestige.find_user(p_handle) returns it.';
    END IF;
END
$$;

COMMENT ON FUNCTION vestige.bind_login(uuid, text) IS
'Bind a login role to a user: that login''s sessions are always this user and may not name another (operator only). p_role NULL removes the binding. Errors: VS006 no such role, a superuser or a role that cannot log in; VS011 unknown user; VS013 the role is bound to another user.';

COMMIT;
