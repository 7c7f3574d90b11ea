#!/usr/bin/env bash
# The newcomer's path, checked: `npm start` on free ports and a data directory of its own, twice.
#   1. start; wait for the demo chain to finish (at most 5 minutes); GET /api/v1/health/ is 200;
#   2. Ctrl-C (SIGINT to the launcher): it exits 0 and leaves no process behind;
#   3. start again on the same data: the rows are kept, no second demo account appears; stop again.
# On failure it prints the last 40 lines of npm start's output. Usage: bash tools/smoke/start.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

TIMEOUT_S=${SMOKE_TIMEOUT_S:-300}
RUN_ID="smoke-$$-$RANDOM"
export DATA_DIR=".data/smoke"
LOG="$DATA_DIR/npm-start.log"

# Five free ports below the kernel's ephemeral range (where outgoing connections take their local
# ports, so one of them could take a chosen port between the two runs), different from each other.
read -r PORT TEMPORAL_PORT TEMPORAL_UI_PORT EMBEDDED_POSTGRES_PORT DEMO_PROVIDER_PORT < <(node -e "
const net = require('net');
let low = 32768;
try { low = Number(require('fs').readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]); } catch {}
const top = Math.min(low || 32768, 32768), bottom = 20000;
const free = (port) => new Promise((resolve) => { const s = net.createServer(); s.once('error', () => resolve(false)); s.listen(port, '127.0.0.1', () => s.close(() => resolve(true))); });
(async () => {
  const chosen = new Set();
  while (chosen.size < 5) {
    const port = bottom + Math.floor(Math.random() * (top - bottom));
    if (!chosen.has(port) && (await free(port))) chosen.add(port);
  }
  console.log([...chosen].join(' '));
})();
")
export PORT TEMPORAL_PORT TEMPORAL_UI_PORT EMBEDDED_POSTGRES_PORT DEMO_PROVIDER_PORT
# npm start uses the embedded PostgreSQL and Temporal only when these are unset.
unset DATABASE_URL TEMPORAL_ADDRESS

say() { echo "[smoke] $*"; }
fail() {
  say "FAILED: $*"
  if [ -f "$LOG" ]; then say "last 40 lines of npm start:"; tail -n 40 "$LOG"; fi
  stop_everything
  exit 1
}

# Every process npm start makes inherits SMOKE_RUN_ID, so the ones left behind can be found.
leftovers() {
  local pid
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    if tr '\0' '\n' 2>/dev/null < "/proc/$pid/environ" | grep -qx "SMOKE_RUN_ID=$RUN_ID"; then
      echo "$pid $(tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline" | cut -c1-120)"
    fi
  done
}
stop_everything() { leftovers | awk '{print $1}' | xargs -r kill -9 2>/dev/null || true; }

launcher_pid() {
  leftovers | awk '/tools\/launcher\/start\.ts/ && !/npm|sh -c/ {print $1}' | tail -n 1
}

sql() {
  node -e '
    const { Client } = require("pg");
    const url = JSON.parse(require("fs").readFileSync(process.argv[1] + "/runtime.json", "utf8")).databaseUrl;
    const c = new Client({ connectionString: url });
    c.connect().then(() => c.query(process.argv[2])).then((r) => { console.log(Object.values(r.rows[0])[0]); return c.end(); })
     .catch((e) => { console.error(e.message); process.exit(1); });' "$DATA_DIR" "$1"
}

start_and_wait() {
  local run=$1
  say "run $run: npm start (API on $PORT, Temporal on $TEMPORAL_PORT, UI on $TEMPORAL_UI_PORT, PostgreSQL on $EMBEDDED_POSTGRES_PORT, demo provider on $DEMO_PROVIDER_PORT, data in $DATA_DIR)"
  : > "$LOG"
  SMOKE_RUN_ID="$RUN_ID" npm start >> "$LOG" 2>&1 &
  NPM_PID=$!
  local waited=0
  until grep -q "Demo chain complete" "$LOG"; do
    grep -q "Demo chain failed" "$LOG" && fail "run $run: the demo chain failed"
    kill -0 "$NPM_PID" 2>/dev/null || fail "run $run: npm start exited before the demo chain finished"
    [ "$waited" -ge "$TIMEOUT_S" ] && fail "run $run: the demo chain did not finish within $TIMEOUT_S s"
    sleep 1
    waited=$((waited + 1))
  done
  say "run $run: demo chain complete after ${waited} s: $(grep -o 'Demo chain complete.*' "$LOG")"
  local status
  status=$(node -e "fetch('http://127.0.0.1:$PORT/api/v1/health/').then(r=>console.log(r.status)).catch(()=>console.log('none'))")
  [ "$status" = "200" ] || fail "run $run: GET /api/v1/health/ answered $status"
  say "run $run: GET /api/v1/health/ is 200"
}

stop_and_check() {
  local run=$1 pid code waited=0
  pid=$(launcher_pid)
  [ -n "$pid" ] || fail "run $run: the launcher process was not found"
  say "run $run: $(leftovers | wc -l) processes of npm start are running:"
  leftovers | sed 's/^/[smoke]     /'
  say "run $run: SIGINT to the launcher (pid $pid)"
  kill -INT "$pid"
  while kill -0 "$NPM_PID" 2>/dev/null; do
    [ "$waited" -ge 60 ] && fail "run $run: npm start did not exit within 60 s of SIGINT"
    sleep 1
    waited=$((waited + 1))
  done
  set +e
  wait "$NPM_PID"
  code=$?
  set -e
  [ "$code" -eq 0 ] || fail "run $run: npm start exited with status $code after SIGINT"
  sleep 1
  local left
  left=$(leftovers)
  [ -z "$left" ] || fail "run $run: processes left after npm start exited:
$left"
  say "run $run: exited 0 after ${waited} s; no process left"
}

rm -rf "$DATA_DIR"
mkdir -p "$DATA_DIR"
trap 'stop_everything' EXIT

start_and_wait 1
accounts=$(sql "SELECT count(*) FROM accounts")
tasks=$(sql "SELECT count(*) FROM ai_task_logs WHERE status = 'success'")
keywords=$(sql "SELECT count(*) FROM keywords")
say "run 1: $accounts account(s), $tasks successful task(s), $keywords keyword(s)"
[ "$accounts" -eq 1 ] || fail "run 1 made $accounts accounts, expected the demo account only"
[ "$tasks" -ge 5 ] || fail "run 1: expected at least 5 successful tasks (one per function), found $tasks"
key_before=$(cat "$DATA_DIR/demo-account.json")
stop_and_check 1

start_and_wait 2
accounts2=$(sql "SELECT count(*) FROM accounts")
tasks2=$(sql "SELECT count(*) FROM ai_task_logs WHERE status = 'success'")
keywords2=$(sql "SELECT count(*) FROM keywords")
say "run 2: $accounts2 account(s), $tasks2 successful task(s), $keywords2 keyword(s)"
[ "$accounts2" -eq 1 ] || fail "run 2: a second demo account appeared ($accounts2 accounts)"
[ "$tasks2" -ge $((tasks + 5)) ] || fail "run 2: the tasks of run 1 were not kept (run 1: $tasks, now $tasks2)"
[ "$keywords2" -eq "$keywords" ] || fail "run 2: keywords went from $keywords to $keywords2"
[ "$(cat "$DATA_DIR/demo-account.json")" = "$key_before" ] || fail "run 2: the demo account's key file changed"
stop_and_check 2

trap - EXIT
rm -rf "$DATA_DIR"
say "passed"
