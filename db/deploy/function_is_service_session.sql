-- Deploy vestige:function_is_service_session
-- Whether this session may name the caller: its login (session_user, which SET ROLE does not
-- change) is a member of vestige_service or a superuser, and is not bound to a user. The one
-- statement of that rule: current_user_id and authenticate use it.

BEGIN;
SET LOCAL ROLE vestige_owner;

-- why: definer so it can read the bindings in vestige.users, which vestige_app cannot.
CREATE FUNCTION vestige.is_service_session()
RETURNS boolean
LANGUAGE sql
STABLE PARALLEL SAFE
SECURITY DEFINER
SET search_path = vestige, pg_catalog, pg_temp
RETURN pg_catalog.pg_has_role(session_user, 'vestige_service', 'MEMBER')
   AND NOT EXISTS (SELECT FROM vestige.users AS u WHERE u.login_role = session_user);

COMMENT ON FUNCTION vestige.is_service_session() IS
'Return true when this session''s login is a trusted server: a member of vestige_service (or a superuser) that is not bound to a user. Such a session names the caller in vestige.user_id and may authenticate API keys.';

GRANT EXECUTE ON FUNCTION vestige.is_service_session() TO vestige_app;

COMMIT;
