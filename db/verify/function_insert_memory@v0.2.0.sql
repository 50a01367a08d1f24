-- Verify vestige:function_insert_memory

BEGIN;
SELECT set_config('vestige.user_id', '00000000-0000-0000-0000-000000000001', true);
SELECT vestige.insert_memory(p_content => 'sqitch verify of insert_memory', p_id => '00000000-0000-0000-0000-00000000000f');
SELECT 1 / count(*) FROM vestige.scheduling WHERE memory_id = '00000000-0000-0000-0000-00000000000f';
ROLLBACK;
