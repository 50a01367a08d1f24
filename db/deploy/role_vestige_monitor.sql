-- Deploy vestige:role_vestige_monitor
-- The role of monitoring logins: vestige.health() (counts, versions, the model; no content and
-- no caller identity) and nothing else of ours. It is not a member of vestige_app, so it can
-- read no memory, directly or through an API function. Created only when absent; revert takes
-- its rights in this database back and leaves the role (roles are cluster-wide).

BEGIN;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'vestige_monitor') THEN
        CREATE ROLE vestige_monitor NOLOGIN;
    END IF;
END
$$;

COMMENT ON ROLE vestige_monitor IS 'Monitoring logins: may run vestige.health() and nothing else of Vestige''s; reads no memory.';

SET LOCAL ROLE vestige_owner;
GRANT USAGE ON SCHEMA vestige TO vestige_monitor;
GRANT EXECUTE ON FUNCTION vestige.health() TO vestige_monitor;

COMMIT;
