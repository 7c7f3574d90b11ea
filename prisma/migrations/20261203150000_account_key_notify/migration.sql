-- A changed or removed API key is announced on the "account_keys" channel (the account id as the
-- payload), however it was changed, so API processes drop the key from their caches at once.
CREATE FUNCTION "notify_account_key_change"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('account_keys', OLD.id::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "accounts_api_key_changed"
AFTER UPDATE OF "api_key_hash" OR DELETE ON "accounts"
FOR EACH ROW EXECUTE FUNCTION "notify_account_key_change"();
