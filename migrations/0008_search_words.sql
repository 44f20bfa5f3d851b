-- 0008_search_words: the compounds and synonyms coordinators give search
-- (src/search/lexicon.h says how a line is read), one row a line in the
-- order shown, and a version every kith process compares with its own to
-- know when to index the directory again.
CREATE TABLE search_word (
	position INTEGER PRIMARY KEY,
	line TEXT NOT NULL
);
CREATE TABLE search_word_version (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	version BIGINT NOT NULL,
	updated_by BIGINT REFERENCES person(id) ON DELETE SET NULL,
	updated_at BIGINT NOT NULL
);
INSERT INTO search_word_version (id, version, updated_by, updated_at) VALUES (1, 0, NULL, 0);
