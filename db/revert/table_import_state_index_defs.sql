-- Revert vestige:table_import_state_index_defs

BEGIN;
SET LOCAL ROLE vestige_owner;
ALTER TABLE vestige.import_state DROP COLUMN index_defs;
COMMIT;
