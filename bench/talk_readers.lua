-- bench/talk_readers.lua - wrk as people reading (bench/talk.sh): each
-- connection is a reader who asks for the page, reads, and asks again
-- READ_MS milliseconds later (default 100: ten pages a second each, far
-- quicker than anyone reads, so 64 readers ask for 640 pages a second).
-- Without a pause, 64 connections asking back to back measure only the
-- queue they make: latency is then 64 divided by the rate, whatever the
-- server does.
local ms = tonumber(os.getenv("READ_MS") or "100")

function delay()
	return ms
end
