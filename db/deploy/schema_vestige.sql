-- Deploy vestige:schema_vestige
-- The schema that holds the tables and the callable API, owned by vestige_owner. Functions
-- vestige_owner creates are not executable by PUBLIC; each API function grants EXECUTE to
-- vestige_app itself.

BEGIN;

CREATE SCHEMA vestige AUTHORIZATION vestige_owner;

COMMENT ON SCHEMA vestige IS 'Vestige long-term memory: tables and the SQL API.';

-- Global (not per-schema) default privileges: a per-schema entry can only add to them.
ALTER DEFAULT PRIVILEGES FOR ROLE vestige_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

GRANT USAGE ON SCHEMA vestige TO vestige_app;

COMMIT;
