-- Verify vestige:function_check_sharing

BEGIN;
SELECT set_config('vestige.user_id', '00000000-0000-0000-0000-000000000001', true);
SELECT 1 / (vestige.check_sharing('private', '{}') = '{}')::int;
ROLLBACK;
