-- Verify vestige:function_upsert_domain

BEGIN;
SELECT set_config('vestige.user_id', '00000000-0000-0000-0000-000000000001', true);
SELECT vestige.upsert_domain(p_id => 'sqitch-verify', p_label => 'sqitch verify of upsert_domain');
SELECT 1 / count(*) FROM vestige.domains WHERE id = 'sqitch-verify';
ROLLBACK;
