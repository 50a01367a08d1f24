-- Verify vestige:policy_intentions_owner

BEGIN;
SELECT 1 / count(*) FROM pg_catalog.pg_policies
 WHERE schemaname = 'vestige' AND tablename = 'intentions' AND policyname = 'intentions_owner';
ROLLBACK;
