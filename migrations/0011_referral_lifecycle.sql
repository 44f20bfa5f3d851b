-- 0011_referral_lifecycle: the loop's dates and the referrer's working
-- notes.
--
-- A step that records contact or attendance (contacted, attended,
-- sustained) says when it happened (happened_on, a UK day as YYYY-MM-DD,
-- which may be before the day it was recorded) and how (method); the
-- referral's contacted_at, attended_at and sustained_at follow the day
-- given, so the figures ("days to first attending") count from it, not
-- from the click.
ALTER TABLE referral_event ADD COLUMN happened_on TEXT;
ALTER TABLE referral_event ADD COLUMN method TEXT
	CHECK (method IS NULL OR method IN ('phone', 'in_person', 'email', 'text', 'letter', 'online'));

-- When the referrer means to get in touch with the person next (a UK day,
-- YYYY-MM-DD): their caseload puts the due ones first. Seen only by the
-- referrer and coordinators.
ALTER TABLE referral ADD COLUMN next_contact_on TEXT;

-- Case notes on a referral: the referrer's and coordinators' own record of
-- their work with the person. Never shown to the receiving organisation.
CREATE TABLE referral_note (
	id ID_PK,
	referral_id TEXT NOT NULL REFERENCES referral(id) ON DELETE CASCADE,
	at BIGINT NOT NULL,
	author_id BIGINT REFERENCES person(id) ON DELETE SET NULL,
	body TEXT NOT NULL
);
CREATE INDEX referral_note_referral ON referral_note(referral_id, at);
