-- pgTAP: the application role may read which changes are deployed (sqitch.changes), and nothing
-- else of the Sqitch registry.
BEGIN;
SELECT plan(4);

SELECT schema_privs_are('sqitch', 'vestige_app', ARRAY['USAGE'],
                        'vestige_app should have USAGE on the registry schema');
SELECT table_privs_are('sqitch', 'changes', 'vestige_app', ARRAY['SELECT'],
                       'vestige_app should only read sqitch.changes');
SELECT table_privs_are('sqitch', 'events', 'vestige_app', ARRAY[]::text[],
                       'vestige_app should not read the deploy log');

SET LOCAL ROLE vestige_app;
SELECT cmp_ok((SELECT count(*) FROM sqitch.changes WHERE project = 'vestige'), '>', 0::bigint,
              'as vestige_app the deployed changes of the project should be readable');

SELECT * FROM finish();
ROLLBACK;
