-- 0021_timebank_guard (PostgreSQL): the timebank's transfers and movements
-- are append-only; a mistake is put right by a reversing transfer.
CREATE FUNCTION timebank_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the timebank ledger is append-only: put a mistake right with a reversing transfer';
END
$$;
CREATE TRIGGER timebank_transfer_no_change BEFORE UPDATE OR DELETE ON timebank_transfer
	FOR EACH ROW EXECUTE FUNCTION timebank_append_only();
CREATE TRIGGER timebank_movement_no_change BEFORE UPDATE OR DELETE ON timebank_movement
	FOR EACH ROW EXECUTE FUNCTION timebank_append_only();
CREATE TRIGGER timebank_transfer_no_truncate BEFORE TRUNCATE ON timebank_transfer
	FOR EACH STATEMENT EXECUTE FUNCTION timebank_append_only();
CREATE TRIGGER timebank_movement_no_truncate BEFORE TRUNCATE ON timebank_movement
	FOR EACH STATEMENT EXECUTE FUNCTION timebank_append_only();
