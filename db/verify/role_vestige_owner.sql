-- Verify vestige:role_vestige_owner

BEGIN;
SELECT 1 / count(*) FROM pg_catalog.pg_roles WHERE rolname = 'vestige_owner' AND NOT rolcanlogin;
ROLLBACK;
