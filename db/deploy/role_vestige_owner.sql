-- Deploy vestige:role_vestige_owner
-- The role that owns every vestige object. NOLOGIN: nobody connects as it, so row-level
-- security (which the owner bypasses) still guards every login. Roles are cluster-wide, so it
-- is created only when absent and revert leaves it in place.

BEGIN;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'vestige_owner') THEN
        CREATE ROLE vestige_owner NOLOGIN;
    END IF;
    -- A deployer that is not a superuser acts as the owner through membership.
    IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
        EXECUTE pg_catalog.format('GRANT vestige_owner TO %I', current_user);
    END IF;
END
$$;

COMMENT ON ROLE vestige_owner IS 'Owns every object of the vestige schema; never used to log in.';

COMMIT;
