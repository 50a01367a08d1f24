-- Revert vestige:policy_scheduling_visibility

BEGIN;
DROP POLICY scheduling_select ON vestige.scheduling;
COMMIT;
