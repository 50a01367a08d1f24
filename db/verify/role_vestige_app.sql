-- Verify vestige:role_vestige_app

BEGIN;
SELECT 1 / count(*) FROM pg_catalog.pg_roles WHERE rolname = 'vestige_app' AND NOT rolcanlogin;
ROLLBACK;
