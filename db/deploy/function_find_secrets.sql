-- Deploy vestige:function_find_secrets
-- The one secret detector. vestige.check_content refuses a text it flags, so no door (insert,
-- update, ingest, intentions, migrate copy, REST, MCP) stores a secret; vestige.redact_secrets
-- replaces what it flags. High-confidence kinds only: a look-alike (prose about passwords, a
-- hash, a uuid, a base64 image, a placeholder) must pass. The kinds are the rows of c_rules,
-- and only there; the most specific come first, and a later match that overlaps an earlier one
-- is the same secret, not a second one.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.find_secrets(p_text text)
RETURNS TABLE (kind text, "position" integer, length integer)
LANGUAGE plpgsql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
DECLARE
    -- (kind, regular expression, flags, the subexpression that is the secret: 0 the whole match)
    c_rules CONSTANT text[][] := ARRAY[
        ['private_key',           '-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----', 'c', '0'],
        ['aws_access_key_id',     '\m(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|APKA)[0-9A-Z]{16}\M', 'c', '0'],
        ['aws_secret_access_key', 'aws_?secret_?(?:access_?)?key["'']?\s*(?::|=|:=|=>)\s*["'']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])', 'i', '1'],
        ['github_token',          '\m(?:(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{50,255})\M', 'c', '0'],
        ['gitlab_token',          '\mglpat-[A-Za-z0-9_-]{20,}', 'c', '0'],
        ['slack_token',           '\mxox[abposr]-[A-Za-z0-9-]{10,}', 'c', '0'],
        ['slack_webhook',         'https://hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]+', 'c', '0'],
        ['stripe_key',            '\m(?:sk|rk)_live_[A-Za-z0-9]{20,}\M', 'c', '0'],
        ['google_api_key',        '\mAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])', 'c', '0'],
        ['anthropic_key',         '\msk-ant-[A-Za-z0-9_-]{20,}', 'c', '0'],
        ['openai_key',            '\msk-(?:proj-|svcacct-|admin-)?([A-Za-z0-9_-]{32,})', 'c', '0'],
        ['jwt',                   '\meyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}', 'c', '0'],
        ['url_credentials',       '\m[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]+:([^\s/@]+)@', 'c', '1'],
        ['secret_assignment',     '[A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|api_?key|access_?key|private_?key)[A-Za-z0-9_.-]*["'']?\s*(?::|=|:=|=>)\s*["'']?([A-Za-z0-9_+/=.~!@#$%^&*?-]{12,})', 'i', '1']
    ];
    -- Values that stand for a secret rather than being one: ***, xxx, <password>, ${VAR}, $VAR,
    -- %VAR%, what redact_secrets wrote, and the words people write in examples.
    c_placeholder CONSTANT text := '^(?:\*+|x+|\.+|<[^>]*>|\[REDACTED:[a-z_]+\]|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_]+%|password|passwd|pass|pwd|secret|changeme|example|redacted)$';
    -- A reference in code, not a value: os.environ, settings.DB_PASSWORD, self.token.
    c_reference   CONSTANT text := '^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$';
    c_min_entropy CONSTANT double precision := 3.0;  -- bits per character of an assigned value
    -- What every rule's match contains, any case: one scan that most texts (prose) fail, so the
    -- rules run only on a text that may hold a secret (2.5x less work per dialogue turn, 7x less
    -- for 1 MiB of text: bench/README.md; pgTAP checks every kind's samples still pass through).
    c_may_hold CONSTANT text := 'private key|akia|asia|abia|acca|agpa|aida|aroa|anpa|anva|apka|gh[pousr]_|github_pat_|glpat-|xox|hooks\.slack\.com|_live_|aiza|sk-|eyj|://|passw|pwd|secret|token|api_?key|access_?key|private_?key';
    v_start integer;
    v_at    integer;
    v_end   integer;
    v_next  integer;
    v_value text;
    v_found int4range[] := '{}';
    v_kinds text[] := '{}';
BEGIN
    IF p_text !~* c_may_hold THEN
        RETURN;
    END IF;
    FOR i IN 1 .. array_length(c_rules, 1) LOOP
        v_start := 1;
        LOOP
            v_at := regexp_instr(p_text, c_rules[i][2], v_start, 1, 0, c_rules[i][3], c_rules[i][4]::int);
            EXIT WHEN v_at = 0;
            v_end := regexp_instr(p_text, c_rules[i][2], v_start, 1, 1, c_rules[i][3], c_rules[i][4]::int);
            v_next := regexp_instr(p_text, c_rules[i][2], v_start, 1, 1, c_rules[i][3]);
            v_value := substr(p_text, v_at, v_end - v_at);
            IF c_rules[i][1] = 'private_key' THEN
                -- The whole block, through its END line (or to the end of the text).
                v_end := coalesce(nullif(strpos(substr(p_text, v_end), 'PRIVATE KEY'), 0) + v_end + 10, length(p_text) + 1);
                v_end := v_end + coalesce(nullif(strpos(substr(p_text, v_end), '-----'), 0) + 4, 0);
                v_end := least(v_end, length(p_text) + 1);
                v_next := v_end;
            END IF;
            IF c_rules[i][1] = 'openai_key' AND NOT (v_value ~ '[0-9]' AND v_value ~ '[A-Z]' AND v_value ~ '[a-z]') THEN
                NULL;  -- a long hyphenated word (sk-learn-...), not a key
            ELSIF c_rules[i][1] IN ('url_credentials', 'secret_assignment') AND v_value ~* c_placeholder THEN
                NULL;
            ELSIF c_rules[i][1] = 'secret_assignment'
                  AND (v_value ~ c_reference OR v_value ~ '^[0-9]+$'
                       OR (SELECT -sum(c.n::double precision / length(v_value) * log(2, c.n::numeric / length(v_value))::double precision)
                             FROM (SELECT count(*) AS n FROM regexp_split_to_table(v_value, '') AS ch GROUP BY ch) AS c) < c_min_entropy) THEN
                NULL;  -- a reference in code, a number, or a value too regular to be a secret
            ELSIF NOT int4range(v_at, v_end) && ANY (v_found) THEN
                v_found := v_found || int4range(v_at, v_end);
                v_kinds := v_kinds || c_rules[i][1];
            END IF;
            v_start := greatest(v_next, v_at + 1);
        END LOOP;
    END LOOP;
    RETURN QUERY
        SELECT f.kind, lower(f.found), upper(f.found) - lower(f.found)
          FROM unnest(v_kinds, v_found) AS f(kind, found)
         ORDER BY lower(f.found);
END
$$;

COMMENT ON FUNCTION vestige.find_secrets(text) IS
'Return the secrets in a text, one row each: kind, position (1-based, in characters) and length of the secret itself (for url_credentials the password, for the assignments the value). Kinds: private_key (a -----BEGIN ... PRIVATE KEY----- block through its END line), aws_access_key_id (AKIA, ASIA, ... and 16 more), aws_secret_access_key (40 characters assigned to aws_secret_access_key), github_token (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_), gitlab_token (glpat-), slack_token (xoxb-, xoxp-, ...), slack_webhook, stripe_key (sk_live_, rk_live_), google_api_key (AIza + 35), anthropic_key (sk-ant-), openai_key (sk-, sk-proj-, ... with 32 or more characters mixing digits, upper and lower case), jwt (three base64url parts, the first two starting eyJ), url_credentials (scheme://user:password@), secret_assignment (a name containing password, passwd, pwd, secret, token, api_key, access_key or private_key, any case, then :, =, := or =>, then a value of 12 or more characters without spaces, quotes or brackets that is not a number, not a dotted reference such as os.environ, and has at least 3.0 bits of Shannon entropy per character). Placeholders are not secrets: ***, xxx, ..., <...>, [REDACTED:kind], ${...}, $VAR, %VAR%, password, pass, secret, changeme, example, redacted. A match that overlaps an earlier kind''s (in the order above) is not reported again. Rows are ordered by position. NULL text: no rows.';

GRANT EXECUTE ON FUNCTION vestige.find_secrets(text) TO vestige_app;

COMMIT;
