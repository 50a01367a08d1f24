-- Verify vestige:table_intentions

BEGIN;
SELECT id, owner_user_id, content, trigger_type, trigger_data, priority, status, deadline,
       snoozed_until, tags, related_memory_ids, created_at, updated_at
  FROM vestige.intentions WHERE false;
SELECT 1 / count(*) FROM pg_catalog.pg_class WHERE oid = 'vestige.intentions'::regclass AND relrowsecurity;
ROLLBACK;
