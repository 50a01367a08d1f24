-- Verify vestige:table_import_state_index_defs

BEGIN;
SELECT index_defs FROM vestige.import_state WHERE false;
ROLLBACK;
