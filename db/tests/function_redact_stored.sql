-- pgTAP: the secrets already stored — stored_secrets lists them (kind and position, never the
-- value), redact_stored_memory and redact_stored_intentions replace them; all three are
-- operator functions that vestige_app may not call.
BEGIN;
SELECT plan(12);

SELECT vestige_test.register_model();
CREATE TEMP TABLE fx (name text PRIMARY KEY, id uuid, text text);
INSERT INTO fx (name, id) VALUES ('a', vestige_test.user('a'));
INSERT INTO fx (name, text) VALUES ('token', 'gh' || 'p_' || repeat('a1B2c3D4e5F6', 3));
-- Stored before the rule existed (written as the superuser, around the API).
INSERT INTO vestige.knowledge_nodes (id, content, owner_user_id, embedding)
VALUES ('00000000-0000-4000-8000-0000000000a1', 'deploy with ' || (SELECT text FROM fx WHERE name = 'token'), (SELECT id FROM fx WHERE name = 'a'), '[1,0,0]'),
       ('00000000-0000-4000-8000-0000000000a2', 'a clean memory', (SELECT id FROM fx WHERE name = 'a'), '[0,1,0]');
INSERT INTO vestige.intentions (owner_user_id, content)
VALUES ((SELECT id FROM fx WHERE name = 'a'), 'rotate ' || (SELECT text FROM fx WHERE name = 'token') || ' soon');

SELECT results_eq($$SELECT item, id, owner_user_id, kind, "position" FROM vestige.stored_secrets() WHERE item = 'memory'$$,
                  $$SELECT 'memory', '00000000-0000-4000-8000-0000000000a1'::uuid, id, 'github_token', 13 FROM fx WHERE name = 'a'$$,
                  'stored_secrets should list the memory''s secret with its kind and position');
SELECT is((SELECT count(*)::int FROM vestige.stored_secrets() WHERE item = 'intention' AND kind = 'github_token' AND "position" = 8), 1,
          'stored_secrets should list the intention''s secret');
SELECT is(pg_get_function_result('vestige.stored_secrets()'::regprocedure),
          'TABLE(item text, id uuid, owner_user_id uuid, kind text, "position" integer)',
          'stored_secrets should return where each secret is, and no text of the memory');

SELECT is(vestige.redact_stored_memory('00000000-0000-4000-8000-0000000000a1', 'deploy with something else', '[0.6,0.8,0]', vestige_test.model_hash()), false,
          'a text that is not the redaction of the stored one should change nothing');
SELECT is(vestige.redact_stored_memory('00000000-0000-4000-8000-0000000000a2', 'a clean memory', '[0.6,0.8,0]', vestige_test.model_hash()), false,
          'a memory without a secret should be left as it is');
SELECT throws_ok($$SELECT vestige.redact_stored_memory('00000000-0000-4000-8000-0000000000a1', 'deploy with [REDACTED:github_token]', '[0.6,0.8]', vestige_test.model_hash())$$,
                 'VS004', NULL, 'a vector of the wrong width should be refused');
SELECT is(vestige.redact_stored_memory('00000000-0000-4000-8000-0000000000a1', 'deploy with [REDACTED:github_token]', '[0.6,0.8,0]', vestige_test.model_hash()), true,
          'the redacted text with its new vector should be stored');
SELECT results_eq($$SELECT content, embedding::text FROM vestige.knowledge_nodes WHERE id = '00000000-0000-4000-8000-0000000000a1'$$,
                  $$VALUES ('deploy with [REDACTED:github_token]', '[0.6,0.8,0]')$$,
                  'the memory should hold the redacted text and the vector of it');
SELECT is(vestige.redact_stored_intentions(), 1, 'redact_stored_intentions should redact the one intention');
SELECT is_empty($$SELECT * FROM vestige.stored_secrets()$$, 'no stored secret should be left');

SET LOCAL ROLE vestige_app;
SELECT throws_ok($$SELECT * FROM vestige.stored_secrets()$$, '42501', NULL, 'vestige_app should not list stored secrets (operator only)');
SELECT throws_ok($$SELECT vestige.redact_stored_intentions()$$, '42501', NULL, 'vestige_app should not redact stored intentions (operator only)');

SELECT * FROM finish();
ROLLBACK;
