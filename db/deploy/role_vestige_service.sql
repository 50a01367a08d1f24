-- Deploy vestige:role_vestige_service
-- The role of trusted servers: only a session whose login (session_user) is a member of
-- vestige_service, or a superuser, may name the caller with vestige.user_id (see
-- current_user_id). It has the rights of vestige_app and no more. Created only when absent;
-- revert leaves it in place (roles are cluster-wide).
--
-- Upgrade: before this change every member of vestige_app could assert any user. So that a
-- running installation keeps working unchanged, the login roles that are members of vestige_app
-- when the role is created (the runbook's `vestige` login) are made members of vestige_service.
-- Only then: roles are cluster-wide, and a later deploy (another database of the cluster, a
-- redeploy) must not make a login the operator created since, a personal one not yet bound,
-- a trusted server. An operator makes a login personal with vestige.bind_login, which takes
-- precedence over this membership.

BEGIN;

DO $$
DECLARE
    v_login name;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'vestige_service') THEN
        CREATE ROLE vestige_service NOLOGIN;
        -- The upgrade: the application logins of before keep naming the caller.
        FOR v_login IN
            SELECT r.rolname
              FROM pg_catalog.pg_roles AS r
             WHERE r.rolcanlogin AND NOT r.rolsuper
               AND pg_catalog.pg_has_role(r.oid, 'vestige_app', 'MEMBER')
        LOOP
            EXECUTE pg_catalog.format('GRANT vestige_service TO %I', v_login);
        END LOOP;
    END IF;
    IF NOT pg_catalog.pg_has_role('vestige_service', 'vestige_app', 'MEMBER') THEN
        GRANT vestige_app TO vestige_service;
    END IF;
    IF NOT pg_catalog.pg_has_role(current_user, 'vestige_service', 'MEMBER') THEN
        EXECUTE pg_catalog.format('GRANT vestige_service TO %I', current_user);
    END IF;
END
$$;

COMMENT ON ROLE vestige_service IS 'Trusted servers: its members'' sessions may name the caller (vestige.user_id); otherwise the rights of vestige_app.';

COMMIT;
