-- Revert vestige:table_scheduling

BEGIN;
DROP TABLE vestige.scheduling;
COMMIT;
