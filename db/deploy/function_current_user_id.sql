-- Deploy vestige:function_current_user_id (reworked: identity bound to the login)
-- The caller's identity, decided by who logged in (session_user, which SET ROLE does not change):
--   - a login bound to a user (vestige.bind_login) is always that user; naming another one in
--     vestige.user_id is refused (VS015);
--   - a member of vestige_service, or a superuser (the embedded default), is a trusted server:
--     it names the caller per transaction in vestige.user_id;
--   - any other login has no identity (fail closed: VS001, or VS015 when it names one).
-- No identity is an error, never "see everything".

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so row-level security policies, which run as vestige_app, can read vestige.users.
CREATE OR REPLACE FUNCTION vestige.current_user_id()
RETURNS uuid
LANGUAGE plpgsql
STABLE PARALLEL SAFE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    v_raw   text := pg_catalog.current_setting('vestige.user_id', true);
    v_login text := session_user;
    v_bound vestige.users;
    v_id    uuid;
BEGIN
    SELECT * INTO v_bound FROM vestige.users WHERE login_role = v_login;
    IF FOUND THEN
        IF coalesce(v_raw, '') <> ''
           AND (NOT pg_catalog.pg_input_is_valid(v_raw, 'uuid') OR v_raw::uuid <> v_bound.id) THEN
            RAISE EXCEPTION 'the login role % is bound to user %: it may not act as %', v_login, v_bound.handle, v_raw
                USING ERRCODE = 'VS015',
                      HINT = pg_catalog.format('This login is always user %s: name that user or none (in vestige.toml: [user] id = "%s"); a server that acts for many users logs in as a member of vestige_service.', v_bound.handle, v_bound.handle);
        END IF;
        RETURN v_bound.id;
    END IF;

    IF NOT vestige.is_service_session() THEN
        IF coalesce(v_raw, '') <> '' THEN
            RAISE EXCEPTION 'the login role % may not set vestige.user_id: it is neither bound to a user nor a member of vestige_service', v_login
                USING ERRCODE = 'VS015',
                      HINT = pg_catalog.format('An operator binds it to its user: SELECT vestige.bind_login(''<user id>'', %L); or, for a trusted server''s login, GRANT vestige_service TO %I.', v_login, v_login);
        END IF;
        RAISE EXCEPTION 'no caller identity: the login role % is neither bound to a user nor a member of vestige_service', v_login
            USING ERRCODE = 'VS001',
                  HINT = pg_catalog.format('An operator binds it to its user: SELECT vestige.bind_login(''<user id>'', %L).', v_login);
    END IF;

    IF v_raw IS NULL OR v_raw = '' THEN
        RAISE EXCEPTION 'no caller identity: vestige.user_id is not set'
            USING ERRCODE = 'VS001',
                  HINT = 'Set it in the transaction: SELECT set_config(''vestige.user_id'', ''<user uuid>'', true).';
    END IF;
    IF NOT pg_catalog.pg_input_is_valid(v_raw, 'uuid') THEN
        RAISE EXCEPTION 'no caller identity: vestige.user_id is not a uuid (%)', v_raw
            USING ERRCODE = 'VS001',
                  HINT = 'Set vestige.user_id to the id of a row of vestige.users.';
    END IF;
    v_id := v_raw::uuid;
    PERFORM FROM vestige.users WHERE id = v_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown user %: no such row in vestige.users', v_id
            USING ERRCODE = 'VS011',
                  HINT = 'Create the user first with vestige.create_user(p_handle => ...).';
    END IF;
    RETURN v_id;
END
$$;

COMMENT ON FUNCTION vestige.current_user_id() IS
'Return the caller''s user id. A login bound to a user (vestige.bind_login) is always that user (VS015 when vestige.user_id names another); a session of a vestige_service member or a superuser names the caller in the transaction setting vestige.user_id (VS001 when unset or not a uuid, VS011 when no such user); any other login has no identity (VS001, or VS015 when it sets vestige.user_id).';

COMMIT;
