-- bench/timebank_transfers.lua - wrk as people giving time (bench/timebank.sh):
-- wrk thread k (one connection each) is a pair of people taking turns to
-- give each other a minute (so no balance goes far from zero), each
-- request a new transfer with an idempotency key of its own; pairs do not
-- share accounts, as most transfers in a timebank of many members do not.
-- TOKENS and ACCOUNTS (comma-separated, in the same order, two a thread)
-- come from the environment. Only 201 counts as done.
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
	tokens = split(os.getenv("TOKENS"))
	accounts = split(os.getenv("ACCOUNTS"))
	local n = math.floor(#accounts / 2)
	a = (idx % n) * 2 + 1
	b = a + 1
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/json"
end

function request()
	counter = counter + 1
	local from, to = a, b
	if counter % 2 == 0 then from, to = b, a end
	local body = string.format('{"from": %s, "to": %s, "minutes": 1, "idempotency_key": "t%d-%d"}',
		accounts[from], accounts[to], idx, counter)
	return wrk.format("POST", nil, {["Authorization"] = "Bearer " .. tokens[from],
		["Content-Type"] = "application/json"}, body)
end

local told = false
function response(status, headers, body)
	if status ~= 201 and not told then
		told = true
		io.stderr:write("timebank_transfers.lua: a transfer answered " .. status .. ": " .. body .. "\n")
	end
end
