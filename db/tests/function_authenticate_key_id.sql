-- pgTAP: vestige.authenticate_key_id — the user and scopes of a key named by its id (the
-- dashboard's session); unknown, revoked and expired keys refused with VS016; only a service
-- session may ask.
BEGIN;
SELECT plan(9);

CREATE TEMP TABLE keys (name text PRIMARY KEY, id uuid NOT NULL);
GRANT SELECT ON keys TO PUBLIC;
CREATE ROLE tap_member LOGIN IN ROLE vestige_app;
SELECT vestige_test.user('a');
INSERT INTO keys SELECT 'rw', k.id FROM vestige.create_api_key(vestige_test.user('a'), 'laptop', sha256('vst_rw'::bytea)) AS k;
INSERT INTO keys SELECT 'ro', k.id FROM vestige.create_api_key(vestige_test.user('a'), 'ci', sha256('vst_ro'::bytea), '{read}') AS k;
INSERT INTO keys SELECT 'old', k.id FROM vestige.create_api_key(vestige_test.user('a'), 'old', sha256('vst_old'::bytea)) AS k;
INSERT INTO keys SELECT 'gone', k.id FROM vestige.create_api_key(vestige_test.user('a'), 'gone', sha256('vst_gone'::bytea)) AS k;
UPDATE vestige.api_keys SET created_at = now() - interval '2 days', expires_at = now() - interval '1 day'
 WHERE id = (SELECT id FROM keys WHERE name = 'old');
SELECT vestige.revoke_api_key((SELECT id FROM keys WHERE name = 'gone'));

SELECT is_definer('vestige', 'authenticate_key_id', ARRAY['uuid'], 'vestige.authenticate_key_id should be SECURITY DEFINER');

SET LOCAL ROLE vestige_app;
SELECT results_eq($$SELECT * FROM vestige.authenticate_key_id((SELECT id FROM keys WHERE name = 'rw'))$$,
                  $$SELECT id, vestige_test.user('a'), 'a'::text, '{read,write}'::text[] FROM keys WHERE name = 'rw'$$,
                  'a valid key''s id should give its id, user, handle and scopes');
SELECT is((SELECT scopes FROM vestige.authenticate_key_id((SELECT id FROM keys WHERE name = 'ro'))), '{read}'::text[],
          'a read-only key''s id should give scope read');
SELECT throws_ok($$SELECT * FROM vestige.authenticate_key_id('00000000-0000-4000-8000-00000000dead')$$, 'VS016', 'unknown API key',
                 'an unknown id should raise VS016');
SELECT throws_ok($$SELECT * FROM vestige.authenticate_key_id(NULL)$$, 'VS016', 'unknown API key', 'NULL should raise VS016');
SELECT throws_ok($$SELECT * FROM vestige.authenticate_key_id((SELECT id FROM keys WHERE name = 'gone'))$$, 'VS016', NULL,
                 'a revoked key''s id should raise VS016');
SELECT throws_ok($$SELECT * FROM vestige.authenticate_key_id((SELECT id FROM keys WHERE name = 'old'))$$, 'VS016', NULL,
                 'an expired key''s id should raise VS016');
RESET ROLE;
SELECT ok((SELECT last_used_at IS NOT NULL FROM vestige.api_keys WHERE id = (SELECT id FROM keys WHERE name = 'rw')),
          'checking a key by its id should note its use, as authenticate does');

CREATE FUNCTION pg_temp.login_as(p_role text) RETURNS void
LANGUAGE plpgsql AS $$ BEGIN EXECUTE format('SET LOCAL SESSION AUTHORIZATION %I', p_role); END $$;
SELECT pg_temp.login_as('tap_member');
SELECT throws_ok($$SELECT * FROM vestige.authenticate_key_id((SELECT id FROM keys WHERE name = 'rw'))$$, 'VS015', NULL,
                 'a login that is not a service login should not authenticate key ids');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
