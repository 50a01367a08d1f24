BEGIN;
SELECT plan(1);
SELECT has_schema('vestige', 'the vestige schema should exist');
SELECT * FROM finish();
ROLLBACK;
