-- bench/timebank_transfers.lua - wrk as people giving time (bench/timebank.sh):
-- thread k gives from account k to account k+1 (round the ring, so every
-- balance stays near zero and no floor is reached), each request a new
-- transfer of 1 minute with an idempotency key of its own. TOKENS and
-- ACCOUNTS (comma-separated, in the same order) come from the
-- environment. Only 201 counts as done: anything else is an error.
local counter = 1
local threads = {}

local function split(s)
	local t = {}
	for v in string.gmatch(s, "[^,]+") do t[#t + 1] = v end
	return t
end

function setup(thread)
	thread:set("idx", #threads)
	table.insert(threads, thread)
end

function init(args)
	local tokens = split(os.getenv("TOKENS"))
	local accounts = split(os.getenv("ACCOUNTS"))
	local n = #accounts
	local k = (idx % n) + 1
	from = accounts[k]
	to = accounts[(k % n) + 1]
	wrk.method = "POST"
	wrk.headers["Authorization"] = "Bearer " .. tokens[k]
	wrk.headers["Content-Type"] = "application/json"
end

function request()
	counter = counter + 1
	local body = string.format('{"from": %s, "to": %s, "minutes": 1, "idempotency_key": "t%d-%d"}',
		from, to, idx, counter)
	return wrk.format(nil, nil, nil, body)
end
