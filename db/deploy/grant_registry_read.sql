-- Deploy vestige:grant_registry_read
-- Let the application role read which changes are deployed, so a client that logs in with
-- only vestige_app can check the schema version before it works (and say what to do when it
-- is behind). The Sqitch registry holds change names, planners and times, no memories.

BEGIN;

GRANT USAGE ON SCHEMA sqitch TO vestige_app;
GRANT SELECT ON sqitch.changes TO vestige_app;

COMMIT;
