-- Verify vestige:function_is_visible

BEGIN;
SELECT 1 / vestige.is_visible('public', gen_random_uuid(), '{}', gen_random_uuid(), '{}')::int;
SELECT 1 / (NOT vestige.is_visible('private', gen_random_uuid(), '{}', gen_random_uuid(), '{}'))::int;
ROLLBACK;
