-- Revert vestige:role_vestige_monitor
-- The role is cluster-wide and may serve other databases: only its rights here are taken back.

BEGIN;
SET LOCAL ROLE vestige_owner;
REVOKE EXECUTE ON FUNCTION vestige.health() FROM vestige_monitor;
REVOKE USAGE ON SCHEMA vestige FROM vestige_monitor;
COMMIT;
