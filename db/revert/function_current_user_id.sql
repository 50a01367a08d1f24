-- Revert vestige:function_current_user_id (to @v0.2.0: any session may assert vestige.user_id)
-- The caller's identity: the transaction-local setting vestige.user_id, set by the trusted
-- server. No identity is an error (fail closed), never "see everything".

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so row-level security policies, which run as vestige_app, can check the user exists.
CREATE OR REPLACE FUNCTION vestige.current_user_id()
RETURNS uuid
LANGUAGE plpgsql
STABLE PARALLEL SAFE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    v_raw text := pg_catalog.current_setting('vestige.user_id', true);
    v_id  uuid;
BEGIN
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
'Return the caller''s user id from the transaction setting vestige.user_id. Raises VS001 when it is unset or not a uuid and VS011 when no such user exists.';

GRANT EXECUTE ON FUNCTION vestige.current_user_id() TO vestige_app;

COMMIT;
