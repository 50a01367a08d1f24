-- Deploy vestige:function_check_model_signature
-- The checks on a model signature (name, dimension, hash) before it enters the registry, for
-- vestige.register_model and vestige.reembed_prepare.

BEGIN;
SET LOCAL ROLE vestige_owner;

CREATE FUNCTION vestige.check_model_signature(p_name text, p_dimension integer, p_hash text)
RETURNS void
LANGUAGE plpgsql
IMMUTABLE
SET search_path = vestige, pg_catalog, pg_temp
AS $$
BEGIN
    IF p_name IS NULL OR p_name !~ '\S' OR length(p_name) > 256 THEN
        RAISE EXCEPTION 'invalid model name %', coalesce(quote_literal(p_name), 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Pass the model name, e.g. sentence-transformers/all-MiniLM-L6-v2.';
    END IF;
    IF p_dimension IS NULL OR p_dimension NOT BETWEEN 1 AND 2000 THEN
        RAISE EXCEPTION 'invalid model dimension %: must be between 1 and 2000', coalesce(p_dimension::text, 'NULL')
            USING ERRCODE = 'VS006', HINT = 'The HNSW index of pgvector supports up to 2000 dimensions; truncate (name@256) if larger.';
    END IF;
    IF p_hash IS NULL OR p_hash !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'invalid model hash %: expected 64 lowercase hex digits (sha256)', coalesce(quote_literal(p_hash), 'NULL')
            USING ERRCODE = 'VS006', HINT = 'Pass the hash the client computes for the model (see docs/errors.md and the embedder docs).';
    END IF;
END
$$;

COMMENT ON FUNCTION vestige.check_model_signature(text, integer, text) IS
'Raise VS006 unless the model name is non-blank and at most 256 characters, the dimension is 1-2000 (the HNSW limit) and the hash is 64 lowercase hex digits (sha256).';

COMMIT;
