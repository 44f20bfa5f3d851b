-- 0009_api_token_expiry: personal API tokens expire (api_token_days, 90
-- by default) and are revoked with a password change. Tokens made before
-- this get the default from when they were made.
ALTER TABLE api_token ADD COLUMN expires_at BIGINT;
UPDATE api_token SET expires_at = created_at + 7776000 WHERE expires_at IS NULL;
