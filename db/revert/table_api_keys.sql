-- Revert vestige:table_api_keys

BEGIN;
DROP TABLE vestige.api_keys;
COMMIT;
