-- Deploy vestige:role_vestige_app
-- The role the application runs as: EXECUTE on the API, table access only under row-level
-- security. Login roles are made members of it (never of vestige_owner). Created only when
-- absent; revert leaves it in place. Deploy grants it to the role that runs the deploy.

BEGIN;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'vestige_app') THEN
        CREATE ROLE vestige_app NOLOGIN;
    END IF;
    IF NOT pg_catalog.pg_has_role(current_user, 'vestige_app', 'MEMBER') THEN
        EXECUTE pg_catalog.format('GRANT vestige_app TO %I', current_user);
    END IF;
END
$$;

COMMENT ON ROLE vestige_app IS 'Calls the vestige API; sees tables only through row-level security.';

COMMIT;
