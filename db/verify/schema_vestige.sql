-- Verify vestige:schema_vestige

BEGIN;
SELECT 1 / count(*) FROM pg_catalog.pg_namespace
 WHERE nspname = 'vestige' AND nspowner = 'vestige_owner'::regrole;
SELECT 1 / count(*) FROM pg_catalog.pg_default_acl
 WHERE defaclrole = 'vestige_owner'::regrole AND defaclobjtype = 'f' AND defaclnamespace = 0;
ROLLBACK;
