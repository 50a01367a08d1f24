-- pgTAP: vestige.authenticate — the user and scopes of a key; unknown, revoked and expired keys
-- refused with VS016; only a service session may ask.
BEGIN;
SELECT plan(10);

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

SET LOCAL ROLE vestige_app;
SELECT results_eq($$SELECT * FROM vestige.authenticate(sha256('vst_rw'::bytea))$$,
                  $$SELECT id, vestige_test.user('a'), 'a'::text, '{read,write}'::text[] FROM keys WHERE name = 'rw'$$,
                  'a valid key should give its id, user, handle and scopes');
SELECT is((SELECT scopes FROM vestige.authenticate(sha256('vst_ro'::bytea))), '{read}'::text[], 'a read-only key should give scope read');
SELECT throws_ok($$SELECT * FROM vestige.authenticate(sha256('vst_nope'::bytea))$$, 'VS016', 'unknown API key', 'an unknown key should raise VS016');
SELECT throws_ok($$SELECT * FROM vestige.authenticate(NULL)$$, 'VS016', 'unknown API key', 'NULL should raise VS016');
SELECT throws_ok($$SELECT * FROM vestige.authenticate(sha256('vst_gone'::bytea))$$, 'VS016', NULL, 'a revoked key should raise VS016');
SELECT throws_ok($$SELECT * FROM vestige.authenticate(sha256('vst_old'::bytea))$$, 'VS016', NULL, 'an expired key should raise VS016');
RESET ROLE;
SELECT ok((SELECT last_used_at IS NOT NULL FROM vestige.api_keys WHERE id = (SELECT id FROM keys WHERE name = 'rw')),
          'a successful authentication should note when the key was used');
UPDATE vestige.api_keys SET last_used_at = now() - interval '30 s' WHERE id = (SELECT id FROM keys WHERE name = 'rw');
SELECT * FROM vestige.authenticate(sha256('vst_rw'::bytea));
SELECT ok((SELECT last_used_at = now() - interval '30 s' FROM vestige.api_keys WHERE id = (SELECT id FROM keys WHERE name = 'rw')),
          'a key used within the minute should not be rewritten');
SELECT ok((SELECT last_used_at IS NULL FROM vestige.api_keys WHERE id = (SELECT id FROM keys WHERE name = 'gone')),
          'a refused key should not be noted as used');

CREATE FUNCTION pg_temp.login_as(p_role text) RETURNS void
LANGUAGE plpgsql AS $$ BEGIN EXECUTE format('SET LOCAL SESSION AUTHORIZATION %I', p_role); END $$;
SELECT pg_temp.login_as('tap_member');
SELECT throws_ok($$SELECT * FROM vestige.authenticate(sha256('vst_rw'::bytea))$$, 'VS015', NULL,
                 'a login that is not a service login should not authenticate keys');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
