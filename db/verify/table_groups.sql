-- Verify vestige:table_groups

BEGIN;
SELECT id, name, created_by, created_at FROM vestige.groups WHERE false;
ROLLBACK;
