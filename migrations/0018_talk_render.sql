-- 0018_talk_render: what makes a topic's page quick to serve. A post's
-- HTML is made once, when it is written (view/markdown.h), not on every
-- read: a page of 500 replies spent most of its time in Markdown. NULL:
-- made when read (rows written before this migration). A topic's
-- version goes up whenever anything a reader sees of the posts it has
-- changes (a post changed, hidden, restored, approved or erased, a
-- writer's display name); a new post, which comes after all the others,
-- moves only posts_n. So a page of it can be kept and known to be
-- current from the topic's row alone.
ALTER TABLE talk_post ADD COLUMN html TEXT;
ALTER TABLE talk_topic ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
-- A reader's own reactions in a topic, found from the reader (a page of
-- it can be given from what is kept only to someone with none there).
CREATE INDEX talk_reaction_person ON talk_reaction(person_id, post_id);
