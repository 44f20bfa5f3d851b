-- 0015_peer_open_request: one open request for a peer a person, held by
-- the database as well as the rules, so two asking at once (the person
-- and their link worker, or a form sent twice) cannot both go in.
CREATE UNIQUE INDEX peer_request_open_one ON peer_request(person_id)
	WHERE state IN ('waiting', 'offered', 'matched');
