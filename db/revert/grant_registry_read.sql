-- Revert vestige:grant_registry_read

BEGIN;
REVOKE SELECT ON sqitch.changes FROM vestige_app;
REVOKE USAGE ON SCHEMA sqitch FROM vestige_app;
COMMIT;
