-- 0021_timebank_guard (SQLite): the timebank's transfers and movements are
-- append-only; a mistake is put right by a reversing transfer.
CREATE TRIGGER timebank_transfer_no_update BEFORE UPDATE ON timebank_transfer
BEGIN
	SELECT RAISE(ABORT, 'the timebank ledger is append-only: put a mistake right with a reversing transfer');
END;
CREATE TRIGGER timebank_transfer_no_delete BEFORE DELETE ON timebank_transfer
BEGIN
	SELECT RAISE(ABORT, 'the timebank ledger is append-only: put a mistake right with a reversing transfer');
END;
CREATE TRIGGER timebank_movement_no_update BEFORE UPDATE ON timebank_movement
BEGIN
	SELECT RAISE(ABORT, 'the timebank ledger is append-only: put a mistake right with a reversing transfer');
END;
CREATE TRIGGER timebank_movement_no_delete BEFORE DELETE ON timebank_movement
BEGIN
	SELECT RAISE(ABORT, 'the timebank ledger is append-only: put a mistake right with a reversing transfer');
END;
