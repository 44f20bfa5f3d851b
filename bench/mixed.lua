-- bench/mixed.lua - wrk script: each request a page chosen at random from a
-- file of paths, one a line (bench/soak.sh and tests/blackbox/test_nginx.py
-- write it from the demo town: home, find, service pages, ORUK search).
--
--   wrk -s bench/mixed.lua http://127.0.0.1:PORT -- PATHS_FILE
--
-- Counts answers by status class so a caller can tell 4xx from 5xx;
-- wrk's own "Non-2xx or 3xx responses" line covers both.
local paths = {}
local counts = {}

function init(args)
	for line in io.lines(args[1]) do
		if line ~= "" then paths[#paths + 1] = line end
	end
	if #paths == 0 then error("no paths in " .. tostring(args[1])) end
	math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
	return wrk.format("GET", paths[math.random(#paths)])
end
