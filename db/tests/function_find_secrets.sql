-- pgTAP: the secret detector (vestige.find_secrets), redaction (vestige.redact_secrets), and the
-- refusal by every API function that stores a text (VS017, naming the kind and the position,
-- never the value). The secrets are built by concatenation, so no scanner flags this file.
BEGIN;
SELECT plan(52);

CREATE TEMP TABLE secret (kind text, text text, value text);
GRANT SELECT ON secret TO PUBLIC;
INSERT INTO secret VALUES
    ('aws_access_key_id',     'the key is ' || 'AKIA' || 'Q3EGUPJX5NW7RM2K' || ' for prod', 'AKIA' || 'Q3EGUPJX5NW7RM2K'),
    ('aws_secret_access_key', 'aws_secret_access_key = ' || 'wJalrXUtnFEMI/K7MDENG/bPxR' || 'fiCYq8Hz3Lk2Mv', 'wJalrXUtnFEMI/K7MDENG/bPxR' || 'fiCYq8Hz3Lk2Mv'),
    ('github_token',          'export GH=' || 'gh' || 'p_' || repeat('a1B2c3D4e5F6', 3), 'gh' || 'p_' || repeat('a1B2c3D4e5F6', 3)),
    ('gitlab_token',          'token glpat' || '-' || 'x7Yz9Qw2Er4Ty6Ui8Op0', 'glpat' || '-' || 'x7Yz9Qw2Er4Ty6Ui8Op0'),
    ('slack_token',           'bot: xo' || 'xb-' || '1234567890-abcdefABCDEF', 'xo' || 'xb-' || '1234567890-abcdefABCDEF'),
    ('slack_webhook',         'post to https://hooks.slack.com/services/' || 'T0123ABCD/B0123ABCD/' || 'q8Zr2Lm9Pw4Tx7Vb', 'https://hooks.slack.com/services/' || 'T0123ABCD/B0123ABCD/' || 'q8Zr2Lm9Pw4Tx7Vb'),
    ('stripe_key',            'stripe ' || 'sk' || '_live_' || '4eC39HqLyjWDarjtT1zdp7dc', 'sk' || '_live_' || '4eC39HqLyjWDarjtT1zdp7dc'),
    ('google_api_key',        'maps key ' || 'AI' || 'za' || 'SyD8x7Qw2Er4Ty6Ui8Op0As1Df3Gh5Jk7Lz', 'AI' || 'za' || 'SyD8x7Qw2Er4Ty6Ui8Op0As1Df3Gh5Jk7Lz'),
    ('anthropic_key',         'claude ' || 'sk-' || 'ant-api03-' || 'Zx9qLm2Pw8Rt4Yv7Bn3Kd6Fh', 'sk-' || 'ant-api03-' || 'Zx9qLm2Pw8Rt4Yv7Bn3Kd6Fh'),
    ('openai_key',            'OPENAI ' || 'sk-' || 'proj-' || 'Zx9qLm2Pw8Rt4Yv7Bn3Kd6FhQ1wE5rT8y', 'sk-' || 'proj-' || 'Zx9qLm2Pw8Rt4Yv7Bn3Kd6FhQ1wE5rT8y'),
    ('private_key',           E'key:\n-----BEGIN ' || 'RSA PRIVATE KEY-----' || E'\nMIIEowIBAAKCAQEA7\n-----END RSA ' || 'PRIVATE KEY-----' || E'\nend',
                              '-----BEGIN ' || 'RSA PRIVATE KEY-----' || E'\nMIIEowIBAAKCAQEA7\n-----END RSA ' || 'PRIVATE KEY-----'),
    ('jwt',                   'Bearer ' || 'eyJ' || 'hbGciOiJIUzI1NiJ9.' || 'eyJ' || 'zdWIiOiIxMjM0NTY3ODkwIn0.' || 'dozjgNryP4J3jVmNHl0w5N',
                              'eyJ' || 'hbGciOiJIUzI1NiJ9.' || 'eyJ' || 'zdWIiOiIxMjM0NTY3ODkwIn0.' || 'dozjgNryP4J3jVmNHl0w5N'),
    ('url_credentials',       'db at postgresql://vestige:' || 'Tr0ub4dor3x' || '@db.internal:5432/vestige', 'Tr0ub4dor3x'),
    ('secret_assignment',     'DB_PASSWORD=' || 'q8Zr!t2Lm#x9Pw', 'q8Zr!t2Lm#x9Pw');

CREATE TEMP TABLE lookalike (text text);
GRANT SELECT ON lookalike TO PUBLIC;
INSERT INTO lookalike VALUES
    ('The password must be at least 12 characters long.'),
    ('Rotate your API key monthly; token: see the runbook.'),
    ('Fixed in commit 9fceb02d0ae598e95dc970b74767f19372d61af8.'),
    ('sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
    ('The memory id is 6f1c2b8e-4a0d-4c8e-9a63-1f2e3d4c5b6a.'),
    ('data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='),
    ('Connect with postgresql://user:<password>@host/db or postgresql://vestige:***@db/vestige.'),
    ('Use postgres://app:${PGPASSWORD}@db/app in the container.'),
    ('password = os.environ["DB_PASSWORD"]'),
    ('db_password = settings.DATABASE_PASSWORD'),
    ('tokenizer = AutoTokenizer.from_pretrained(name)'),
    ('max_tokens = 4096000000000'),
    ('We use sk-learn-compatible-estimators-for-the-pipeline.'),
    ('password = aaaaaaaaaaaaaaaa'),
    ('JWTs start with eyJ because they are base64 of {"'),
    ('The AKIA prefix marks an AWS access key id.'),
    ('-----BEGIN PUBLIC KEY----- is not secret');

-- The detector.
SELECT volatility_is('vestige', 'find_secrets', ARRAY['text'], 'immutable', 'find_secrets should be IMMUTABLE');
SET LOCAL ROLE vestige_app;
SELECT is((SELECT string_agg(f.kind, ',') FROM vestige.find_secrets(s.text) AS f), s.kind,
          'a ' || s.kind || ' should be found as exactly that kind')
  FROM secret AS s ORDER BY s.kind;
SELECT is((SELECT substr(s.text, f."position", f.length) FROM vestige.find_secrets(s.text) AS f), s.value,
          'the position and length of a ' || s.kind || ' should cover exactly the secret')
  FROM secret AS s WHERE s.kind IN ('aws_access_key_id', 'url_credentials', 'secret_assignment', 'private_key') ORDER BY s.kind;
SELECT is_empty(format('SELECT * FROM vestige.find_secrets(%L)', l.text), 'a look-alike should pass: ' || left(l.text, 40))
  FROM lookalike AS l;
SELECT results_eq($$SELECT kind, "position" FROM vestige.find_secrets('a ' || 'AKIA' || 'Q3EGUPJX5NW7RM2K' || ' then DB_PASSWORD=' || 'q8Zr!t2Lm#x9Pw')$$,
                  $$VALUES ('aws_access_key_id', 3), ('secret_assignment', 41)$$,
                  'several secrets should come in the order of their position');

-- Redaction.
SELECT is(vestige.redact_secrets(s.text), replace(s.text, s.value, '[REDACTED:' || s.kind || ']'),
          'redact_secrets should replace the ' || s.kind || ' and nothing else')
  FROM secret AS s WHERE s.kind IN ('github_token', 'url_credentials', 'private_key', 'jwt') ORDER BY s.kind;
SELECT is(vestige.redact_secrets(l.text), l.text, 'redact_secrets should leave a text without secrets as it is')
  FROM lookalike AS l LIMIT 1;
SELECT is_empty($$SELECT f FROM secret AS s, vestige.find_secrets(vestige.redact_secrets(s.text)) AS f$$,
                'a redacted text should hold no secret');

-- Every door refuses, naming the kind and the position, never the value.
RESET ROLE;
SELECT vestige_test.register_model();
INSERT INTO secret (kind, text) SELECT 'user', vestige_test.user('a')::text;
SELECT vestige_test.act_as((SELECT text::uuid FROM secret WHERE kind = 'user'));
INSERT INTO secret (kind, text) SELECT 'memory', vestige.insert_memory(p_content => 'a clean note')::text;
INSERT INTO secret (kind, text) SELECT 'intention', vestige.set_intention(p_content => 'a clean reminder')::text;
SET LOCAL ROLE vestige_app;
SELECT throws_ok(format('SELECT vestige.insert_memory(p_content => %L)', s.text), 'VS017', 'content holds a secret: github_token at character 11',
                 'insert_memory should refuse a secret with its kind and position')
  FROM secret AS s WHERE s.kind = 'github_token';
SELECT throws_ok(format('SELECT vestige.update_memory(p_id => %L, p_content => %L)', (SELECT text FROM secret WHERE kind = 'memory'), s.text),
                 'VS017', NULL, 'update_memory should refuse a secret')
  FROM secret AS s WHERE s.kind = 'url_credentials';
SELECT throws_ok(format('SELECT * FROM vestige.ingest(p_content => %L, p_embedding => %L, p_model_hash => %L)', s.text, '[1,0,0]', vestige_test.model_hash()),
                 'VS017', NULL, 'ingest should refuse a secret')
  FROM secret AS s WHERE s.kind = 'private_key';
SELECT throws_ok(format('SELECT vestige.set_intention(p_content => %L)', s.text), 'VS017', NULL, 'set_intention should refuse a secret')
  FROM secret AS s WHERE s.kind = 'jwt';
SELECT throws_ok(format('SELECT vestige.update_intention(p_id => %L, p_content => %L)', (SELECT text FROM secret WHERE kind = 'intention'), s.text),
                 'VS017', NULL, 'update_intention should refuse a secret')
  FROM secret AS s WHERE s.kind = 'aws_access_key_id';
CREATE FUNCTION pg_temp.error_text(p_sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_message text;
    v_hint    text;
BEGIN
    EXECUTE p_sql;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_message = MESSAGE_TEXT, v_hint = PG_EXCEPTION_HINT;
    RETURN v_message || ' ' || v_hint;
END
$$;
SELECT is_empty($$SELECT s.kind FROM secret AS s
                   WHERE s.value IS NOT NULL
                     AND strpos(pg_temp.error_text(format('SELECT vestige.check_content(%L)', s.text)), s.value) > 0$$,
                'no refusal should echo the secret in its message or hint');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM vestige.knowledge_nodes WHERE content <> 'a clean note')
        + (SELECT count(*)::int FROM vestige.intentions WHERE content <> 'a clean reminder'), 0,
          'the refused writes should store nothing');

-- migrate copy's bulk path refuses a staged secret too, and leaves the batch staged.
INSERT INTO vestige.import_intentions (id, content, trigger_type, trigger_data, priority, status, tags, related_memory_ids, created_at, updated_at)
SELECT gen_random_uuid(), s.text, 'manual', '{}', 2, 'active', '{}', '{}', now(), now() FROM secret AS s WHERE s.kind = 'slack_token';
SELECT throws_ok(format('SELECT * FROM vestige.import_apply(%L)', (SELECT text FROM secret WHERE kind = 'user')),
                 'VS017', NULL, 'import_apply should refuse a staged intention that holds a secret');
SELECT is((SELECT count(*)::int FROM vestige.intentions), 1, 'the refused import should store nothing');

SELECT * FROM finish();
ROLLBACK;
