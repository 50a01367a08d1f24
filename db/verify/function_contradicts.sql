-- Verify vestige:function_contradicts

BEGIN;
SELECT 1 / vestige.contradicts('backups run at 03:00', 'backups run at 02:00')::int;
SELECT 1 / (NOT vestige.contradicts('backups run nightly', 'backups run every night'))::int;
ROLLBACK;
