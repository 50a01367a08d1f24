-- Verify vestige:function_set_intention

BEGIN;
SELECT 1 / pg_catalog.has_function_privilege('vestige_app', 'vestige.set_intention(text, text, jsonb, integer, timestamptz, text[], uuid[])', 'EXECUTE')::int;
SELECT 'vestige.check_intention_trigger(text, jsonb, timestamptz)'::regprocedure;
SELECT set_config('vestige.user_id', '00000000-0000-0000-0000-000000000001', true);
SELECT vestige.set_intention(p_content => 'sqitch verify of set_intention');
SELECT 1 / count(*) FROM vestige.intentions WHERE content = 'sqitch verify of set_intention';
ROLLBACK;
