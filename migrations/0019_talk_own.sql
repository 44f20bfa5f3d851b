-- 0019_talk_own: a reader's own posts in a topic, found from the reader.
-- A topic's page asks whether the reader has written anything in it
-- (talk_topic_open) before giving them the kept page. Without this index
-- PostgreSQL's generic plan read every post of the topic's index (6,000
-- entries, half a millisecond, in bench/talk.sh) on every read.
CREATE INDEX talk_post_person_topic ON talk_post(person_id, topic_id);
