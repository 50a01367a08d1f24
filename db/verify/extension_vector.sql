-- Verify vestige:extension_vector

BEGIN;
SELECT 1 / count(*)
  FROM pg_catalog.pg_extension
 WHERE extname = 'vector'
   AND pg_catalog.string_to_array(pg_catalog.split_part(extversion, '-', 1), '.')::int[] >= '{0,8,4}'::int[];
ROLLBACK;
