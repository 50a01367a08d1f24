-- Verify vestige:function_search_fts

BEGIN;
SELECT set_config('vestige.user_id', '00000000-0000-0000-0000-000000000001', true);
SELECT 1 / (count(*) = 0)::int FROM vestige.search_fts();
ROLLBACK;
