-- 0013_feeds: councils' live ORUK APIs pulled on a schedule (`kith
-- directory feed add`, `kith directory pull`; src/oruk/pull.c). A feed
-- remembers each page's ETag and Last-Modified (conditional requests) and
-- which services came from it, so a service that disappears from a
-- complete pull is marked for review (service.feed_gone_at), never deleted.
CREATE TABLE feed (
	name TEXT PRIMARY KEY,                      -- "north-lincs": the operator's name for it
	url TEXT NOT NULL,                          -- the API's services list (or its root)
	every_s BIGINT,                             -- pulled every this many seconds, or
	daily_at INTEGER,                           -- daily at this minute of the UK day (0..1439)
	details TEXT NOT NULL DEFAULT 'auto' CHECK (details IN ('auto', 'never')),
	created_at BIGINT NOT NULL,
	next_at BIGINT,                             -- due at; NULL: only by hand
	claimed_until BIGINT,                       -- a pull in progress holds the feed until then
	last_tried_at BIGINT,
	last_ok_at BIGINT,
	last_status TEXT,                           -- 'ok' or 'failed'
	last_error TEXT,                            -- why the last pull failed, in words
	n_listed BIGINT NOT NULL DEFAULT 0,         -- services the last good pull listed
	n_imported BIGINT NOT NULL DEFAULT 0,
	n_updated BIGINT NOT NULL DEFAULT 0,
	n_unchanged BIGINT NOT NULL DEFAULT 0,
	n_rejected BIGINT NOT NULL DEFAULT 0,
	n_gone BIGINT NOT NULL DEFAULT 0,           -- marked for review as gone by that pull
	n_requests BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX feed_next ON feed(next_at);

-- The validators of each URL a feed's last good pull fetched, and what the
-- page listed (so a 304 still says which services are there).
CREATE TABLE feed_page (
	feed TEXT NOT NULL REFERENCES feed(name) ON DELETE CASCADE,
	url TEXT NOT NULL,
	etag TEXT,
	last_modified TEXT,
	summary TEXT NOT NULL DEFAULT '{}',         -- {"ids": [...], "total_pages": N, "last": bool}
	fetched_at BIGINT NOT NULL,
	PRIMARY KEY (feed, url)
);

-- Which services a feed has listed, and the hash of each one's list entry
-- (an unchanged entry's full record is not fetched again).
CREATE TABLE feed_service (
	feed TEXT NOT NULL REFERENCES feed(name) ON DELETE CASCADE,
	service_id TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
	item_hash TEXT NOT NULL DEFAULT '',
	seen_at BIGINT NOT NULL,
	listed INTEGER NOT NULL DEFAULT 1,          -- in the last complete pull (1) or not (0)
	gone_at BIGINT,                             -- missing from a complete pull since
	PRIMARY KEY (feed, service_id)
);
CREATE INDEX feed_service_service ON feed_service(service_id);

-- A service missing from the feed it came from: on the review list.
ALTER TABLE service ADD COLUMN feed_gone_at BIGINT;
