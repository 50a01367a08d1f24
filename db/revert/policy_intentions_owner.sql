-- Revert vestige:policy_intentions_owner

BEGIN;
DROP POLICY intentions_owner ON vestige.intentions;
COMMIT;
