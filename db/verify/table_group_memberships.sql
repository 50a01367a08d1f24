-- Verify vestige:table_group_memberships

BEGIN;
SELECT group_id, user_id, role, joined_at FROM vestige.group_memberships WHERE false;
ROLLBACK;
