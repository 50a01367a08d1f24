-- Revert vestige:table_settings

BEGIN;
DROP TABLE vestige.settings;
COMMIT;
