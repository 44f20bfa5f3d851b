-- 0010_referral_folded: a referral for someone who already has an open
-- referral to the same place, made by someone who cannot see that one, is
-- kept (answering it as a refusal would tell them the other exists) and
-- folded into the open one: folded_into names it, and it does not hold
-- the one-open-referral key.
ALTER TABLE referral ADD COLUMN folded_into TEXT;
