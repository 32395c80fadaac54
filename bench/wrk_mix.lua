-- wrk script for bench/mix.py: each wrk thread is one officer (one connection, -t N -c N),
-- signed in with their own session cookie, rotating over their own portfolio's pages. The
-- officer's file (<dir>/officer-<n>.txt, the directory given after `--`) holds the Cookie
-- header on its first line and a path per line after it. The counting and the final line are
-- wrk_report.lua's.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "wrk_report.lua")

local report_setup, report_init = setup, init
local officers = 0

function setup(thread)
  officers = officers + 1
  thread:set("officer", officers)
  report_setup(thread)
end

function init(args)
  report_init(args)
  local file = assert(io.open(args[1] .. "/officer-" .. officer .. ".txt"))
  cookie = file:read("*l")
  paths = {}
  for line in file:lines() do
    if line ~= "" then paths[#paths + 1] = line end
  end
  file:close()
  -- Officers start at different places of their rotation, as people do.
  position = (officer * 7) % #paths
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position], { ["Cookie"] = cookie })
end
