-- Verify vestige:policy_intentions_owner
-- A policy on intentions: intentions_owner, or intentions_select once revoke_app_writes is deployed.

BEGIN;
SELECT 1 / count(*) FROM pg_catalog.pg_policies
 WHERE schemaname = 'vestige' AND tablename = 'intentions' AND policyname IN ('intentions_owner', 'intentions_select');
ROLLBACK;
