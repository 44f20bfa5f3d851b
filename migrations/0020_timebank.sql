-- 0020_timebank: the timebank's ledger (issue 14). An hour of help earns
-- an hour, whoever gives it. Every transfer is one row and two movements
-- that sum to zero, in whole minutes: minus on the account it comes from,
-- plus on the account it goes to. An account's balance is kept beside it
-- and must always equal the sum of its movements (`kith timebank check`).
-- Transfers and movements are never changed or removed (0021 makes the
-- database refuse it): a mistake is put right by a reversing transfer.
-- Times are Unix seconds.

-- An account: a person's, an organisation's (a group can earn and spend),
-- or the solidarity pot (one), from which help is paid for people a
-- coordinator has said cannot pay. floor_minutes: the lowest the balance
-- may go (NULL: the timebank's setting for its kind).
CREATE TABLE timebank_account (
	id ID_PK,
	kind TEXT NOT NULL CHECK (kind IN ('person', 'organisation', 'pot')),
	person_id BIGINT UNIQUE REFERENCES person(id),
	organisation_id TEXT UNIQUE REFERENCES organisation(id),
	balance BIGINT NOT NULL DEFAULT 0,
	floor_minutes BIGINT,
	created_at BIGINT NOT NULL,
	CHECK ((kind = 'person') = (person_id IS NOT NULL)),
	CHECK ((kind = 'organisation') = (organisation_id IS NOT NULL))
);
CREATE UNIQUE INDEX timebank_account_pot ON timebank_account(kind) WHERE kind = 'pot';

-- A transfer of minutes from one account to another. kind: help (hours
-- for help given), transfer (moved by hand: a gift, a broker's entry),
-- reversal (puts right the transfer it reverses, once). recorded_by: who
-- entered it; on_behalf: a broker (coordinator) entered it for a member
-- without the internet. idempotency_key: the caller's name for it, so a
-- repeat of the same request is the same transfer.
CREATE TABLE timebank_transfer (
	id ID_PK,
	from_account BIGINT NOT NULL REFERENCES timebank_account(id),
	to_account BIGINT NOT NULL REFERENCES timebank_account(id),
	minutes BIGINT NOT NULL CHECK (minutes > 0),
	kind TEXT NOT NULL CHECK (kind IN ('help', 'transfer', 'reversal')),
	reverses BIGINT UNIQUE REFERENCES timebank_transfer(id),
	recorded_by BIGINT NOT NULL REFERENCES person(id),
	on_behalf INTEGER NOT NULL DEFAULT 0 CHECK (on_behalf IN (0, 1)),
	idempotency_key TEXT,
	created_at BIGINT NOT NULL,
	CHECK (from_account <> to_account),
	CHECK ((kind = 'reversal') = (reverses IS NOT NULL)),
	UNIQUE (recorded_by, idempotency_key)
);
CREATE INDEX timebank_transfer_from ON timebank_transfer(from_account, id);
CREATE INDEX timebank_transfer_to ON timebank_transfer(to_account, id);

-- The two movements of each transfer.
CREATE TABLE timebank_movement (
	id ID_PK,
	transfer_id BIGINT NOT NULL REFERENCES timebank_transfer(id),
	account_id BIGINT NOT NULL REFERENCES timebank_account(id),
	minutes BIGINT NOT NULL CHECK (minutes <> 0),
	created_at BIGINT NOT NULL
);
CREATE INDEX timebank_movement_account ON timebank_movement(account_id, id);
CREATE INDEX timebank_movement_transfer ON timebank_movement(transfer_id);

-- What the people said about a transfer, or why it was reversed: kept
-- apart from the ledger so that erasing a person can empty it while the
-- ledger stays as it was.
CREATE TABLE timebank_note (
	transfer_id BIGINT PRIMARY KEY REFERENCES timebank_transfer(id),
	note TEXT NOT NULL
);
