-- vgac for Slurm: a guarded wait estimate at the moment a job is submitted.
--
-- Install as cli_filter.lua beside slurm.conf, with CliFilterPlugins=cli_filter/lua in slurm.conf. It runs inside
-- the user's own sbatch/salloc/srun (with the user's rights), maps the job's options to a vgac job spec, asks the
-- installed native `vgac predict` under a hard time budget and prints one line to the user, for example:
--
--   vgac: likely to start within 25 min (90% of jobs like it); P(long wait) 0.21, confident
--
-- or the guards' reason when there is no confident estimate, or one short line when vgac or VGAC cannot answer.
-- It never changes the job, never refuses it, and never holds a submission longer than the budget: every path,
-- an error in this script included, ends in slurm.SUCCESS. Debian's plugin runs Lua 5.1; this file keeps to it.
--
-- Settings: edit the table below for the whole site, or set these in the environment of a submission.
--   VGAC_SLURM_BIN        the vgac program (default: vgac on PATH; the native build answers in tens of ms)
--   VGAC_SLURM_BUDGET_MS  the hard budget, in milliseconds (default 300); vgac is stopped when it runs out
--   VGAC_SLURM_VGAC_URL   the VGAC to ask (default: vgac's own configuration)
--   VGAC_SLURM_QUIET=1    print nothing at all
--   VGAC_SLURM_RECORD     a file to append, after each submission, the job id and the line shown (JSON lines), so
--                         what users saw can be checked against when their jobs started; unset, nothing is written
local settings = {
    bin = os.getenv("VGAC_SLURM_BIN") or "vgac",
    budget_ms = tonumber(os.getenv("VGAC_SLURM_BUDGET_MS") or "") or 300,
    vgac_url = os.getenv("VGAC_SLURM_VGAC_URL"),
    quiet = os.getenv("VGAC_SLURM_QUIET") == "1",
    record = os.getenv("VGAC_SLURM_RECORD"),
    -- A QOS name gives the job's priority in vgac's job spec; a QOS not listed leaves the default.
    qos_priority = { low = 0, normal = 5, high = 10, urgent = 20 },
    -- Jobs asking for no GPU are not estimated (VGAC predicts GPU queue waits).
    gpu_jobs_only = true,
}

-- Longest accepted text value (partition, account, GPU type), and longest line printed.
local MAX_NAME = 64
local MAX_LINE = 200
-- Slurm's "no limit given" time is tens of thousands of days; a year or more is read as no duration.
local MAX_MINUTES = 366 * 24 * 60

-- The line shown for this submission, kept for post_submit's record.
local shown = nil

local function say(text)
    shown = text
    if not settings.quiet then
        io.stderr:write(text, "\n")
    end
end

-- A name vgac accepts (letters, digits, '.', '_', '-'), or nil: anything else is left out, never passed on.
local function name(value)
    if type(value) ~= "string" or #value == 0 or #value > MAX_NAME then
        return nil
    end
    if not string.find(value, "^[%w][%w%._%-]*$") then
        return nil
    end
    return value
end

local function whole(value)
    if type(value) ~= "string" or not string.find(value, "^%d+$") or #value > 6 then
        return nil
    end
    return tonumber(value)
end

-- "[TYPE:]COUNT" as --gpus and --gpus-per-node give it: the count and the type, when named.
local function typed_count(value)
    if type(value) ~= "string" then
        return nil, nil
    end
    local kind, count = string.match(value, "^([^:,]+):(%d+)$")
    if count then
        return whole(count), name(kind)
    end
    return whole(value), nil
end

-- --gres as cli_filter sees it: "gres:gpu:2", "gres:gpu:a100:2", several comma-separated.
local function gres_gpus(value)
    if type(value) ~= "string" then
        return nil, nil
    end
    for item in string.gmatch(value, "[^,]+") do
        local rest = string.gsub(item, "^gres:", "")
        local kind, count = string.match(rest, "^gpu:([^:]+):(%d+)$")
        if count then
            return whole(count), name(kind)
        end
        count = string.match(rest, "^gpu:(%d+)$") or (rest == "gpu" and "1" or nil)
        if count then
            return whole(count), nil
        end
    end
    return nil, nil
end

-- The first (minimum) node count of "N", "N-M" or "N-0".
local function node_count(value)
    if type(value) ~= "string" then
        return 1
    end
    return whole(string.match(value, "^(%d+)") or "") or 1
end

-- Slurm's time forms: "D-HH:MM:SS", "D-HH:MM", "D-HH", "HH:MM:SS", "MM:SS", "MM"; whole minutes, rounded up.
local function minutes(value)
    if type(value) ~= "string" then
        return nil
    end
    local days, clock = string.match(value, "^(%d+)%-(.*)$")
    days = tonumber(days or "0")
    clock = clock or value
    local parts = {}
    for n in string.gmatch(clock, "[^:]+") do
        if not string.find(n, "^%d+$") then
            return nil
        end
        parts[#parts + 1] = tonumber(n)
    end
    local h, m, s = 0, 0, 0
    if days > 0 or string.find(value, "-", 1, true) then
        h, m, s = parts[1] or 0, parts[2] or 0, parts[3] or 0
    elseif #parts == 3 then
        h, m, s = parts[1], parts[2], parts[3]
    elseif #parts == 2 then
        m, s = parts[1], parts[2]
    elseif #parts == 1 then
        m = parts[1]
    else
        return nil
    end
    local total = days * 1440 + h * 60 + m + math.ceil(s / 60)
    if total < 1 or total >= MAX_MINUTES then
        return nil
    end
    return total
end

-- --mem as "N" (megabytes) or "N[KMGT]"; in gigabytes.
local function memory_gb(value)
    if type(value) ~= "string" then
        return nil
    end
    local n, unit = string.match(value, "^(%d+)([KMGTkmgt]?)$")
    n = tonumber(n or "")
    if not n or n == 0 then
        return nil
    end
    local per_gb = { K = 1024 * 1024, M = 1024, G = 1, T = 1 / 1024 }
    local gb = n / per_gb[string.upper(unit ~= "" and unit or "M")]
    if gb > 1048576 then
        return nil
    end
    return gb
end

-- The job spec as vgac predict's arguments, or nil (and why) when there is nothing to estimate.
local function spec(options)
    local gpus, kind = gres_gpus(options["gres"])
    if not gpus then
        gpus, kind = typed_count(options["gpus"])
    end
    local nodes = node_count(options["nodes"])
    if not gpus then
        local per_node
        per_node, kind = typed_count(options["gpus-per-node"])
        if per_node then
            gpus = per_node * nodes
        end
    end
    if not gpus or gpus == 0 then
        return nil
    end

    -- vgac's own timeout (its retries included) ends inside the budget, so an unreachable VGAC is said as such
    -- rather than cut off by the budget.
    local timeout = string.format("%.2f", math.max(50, math.floor(settings.budget_ms)) * 0.8 / 1000)
    local args = { "predict", "--gpus", tostring(gpus), "--format", "line", "--timeout", timeout }
    local function add(flag, value)
        if value then
            args[#args + 1] = flag
            args[#args + 1] = tostring(value)
        end
    end
    add("--gpu-type", kind)
    add("--queue", name(options["partition"]))
    add("--namespace", name(options["account"]))
    add("--duration-minutes", minutes(options["time"]))
    local gb = memory_gb(options["mem"])
    add("--memory-gb", gb and string.format("%.2f", gb))
    local qos = name(options["qos"])
    add("--priority", qos and settings.qos_priority[qos])
    if nodes > 1 then
        args[#args + 1] = "--distributed"
    end
    add("--vgac-url", settings.vgac_url)
    return args
end

-- One argument for /bin/sh, in single quotes: nothing in it is read by the shell.
local function quoted(text)
    return "'" .. string.gsub(text, "'", "'\\''") .. "'"
end

-- The line vgac printed, cleaned: printable characters only, one line, capped.
local function clean(text)
    text = string.gsub(text, "[%c\127]", " ")
    if #text > MAX_LINE then
        text = string.sub(text, 1, MAX_LINE - 3) .. "..."
    end
    return text
end

local function estimate(options)
    local args = spec(options)
    if not args then
        if not settings.gpu_jobs_only then
            say("vgac: no estimate (the job asks for no GPU)")
        end
        return
    end

    local budget = math.max(50, math.floor(settings.budget_ms))
    local command = { "exec timeout -s KILL", string.format("%.3f", budget / 1000), quoted(settings.bin) }
    for _, a in ipairs(args) do
        command[#command + 1] = quoted(a)
    end
    -- The exit status follows vgac's output on a line of its own (after a line break, in case vgac's output has none),
    -- so a stopped or missing vgac is told apart. The
    -- shell's own stderr is closed first: it would tell the user "Killed" when the budget stops vgac.
    local line = "exec 2>/dev/null; (" .. table.concat(command, " ") .. ") </dev/null; printf '\\nvgac-exit:%s\\n' \"$?\""
    local pipe = io.popen(line, "r")
    if not pipe then
        say("vgac: no estimate (vgac could not be started)")
        return
    end
    local output = pipe:read(8192) or ""
    pipe:close()

    local status = tonumber(string.match(output, "vgac%-exit:(%d+)%s*$") or "")
    local answer = string.match(output, "^(vgac: [^\n]*)")
    if answer then
        say(clean(answer))
    elseif status == 137 or status == 124 then
        say(string.format("vgac: no estimate (no answer within %d ms)", budget))
    elseif status == 127 or status == 126 then
        say("vgac: no estimate (vgac is not installed here)")
    else
        say("vgac: no estimate (vgac could not answer)")
    end
end

function slurm_cli_setup_defaults(options, early_pass)
    return slurm.SUCCESS
end

function slurm_cli_pre_submit(options, pack_offset)
    -- One estimate per submission: a heterogeneous job's later components are not estimated again.
    if pack_offset == nil or pack_offset == 0 then
        local ok = pcall(estimate, options)
        if not ok then
            say("vgac: no estimate (the cli_filter met an error)")
        end
    end
    return slurm.SUCCESS
end

-- A JSON string: the line is already printable, so only the quote and the backslash need escaping.
local function json_text(text)
    return '"' .. string.gsub(text, '[\\"]', '\\%0') .. '"'
end

local function record(jobid)
    if not settings.record or not shown or not tonumber(jobid) then
        return
    end
    local file = io.open(settings.record, "a")
    if file then
        file:write(string.format('{"job_id":"%d","at":%d,"shown":%s}\n', tonumber(jobid), os.time(), json_text(shown)))
        file:close()
    end
end

function slurm_cli_post_submit(offset, jobid, stepid)
    -- Only what was shown is recorded, and only where the site or user asked for it; a failure here changes nothing.
    pcall(record, jobid)
    return slurm.SUCCESS
end
