-- Deploy vestige:function_content_limit
-- The largest text a memory or an intention may hold: 1 MiB of UTF-8. check_content applies it;
-- a client that must judge a text without the database (the reader of `vestige migrate copy`)
-- reads it from here, so the number is written once.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.content_limit()
RETURNS integer
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = vestige, pg_catalog, pg_temp
RETURN 1048576;

COMMENT ON FUNCTION vestige.content_limit() IS
'Return the largest content of a memory or an intention, in bytes of UTF-8: 1048576 (1 MiB). vestige.check_content applies it.';

GRANT EXECUTE ON FUNCTION vestige.content_limit() TO vestige_app;

COMMIT;
