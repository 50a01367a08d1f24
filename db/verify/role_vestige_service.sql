-- Verify vestige:role_vestige_service

BEGIN;
SELECT 1 / count(*) FROM pg_catalog.pg_roles WHERE rolname = 'vestige_service' AND NOT rolcanlogin;
SELECT 1 / pg_catalog.pg_has_role('vestige_service', 'vestige_app', 'MEMBER')::int;
ROLLBACK;
