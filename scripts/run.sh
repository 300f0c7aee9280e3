#!/usr/bin/env bash
# `make run`: prepare the database (migrations, plan library, demo bank) and the static files, then
# run the web server (gunicorn, 2 workers of 4 threads) and one job worker side by side until Ctrl-C or
# SIGTERM, which stops both and waits for them.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PORT=${PORT:-8000}
# The two servers run in sessions of their own, so a Ctrl-C at the terminal reaches this script alone
# and they get exactly one, graceful SIGTERM from it (a second signal would cut a running job short).
SETSID=$(command -v setsid || true)

"$PY" manage.py migrate --noinput
# The shipped plan library, then the demo bank: both add or update only what changed.
"$PY" manage.py load_plans
"$PY" manage.py load_demo
# Copies only what changed since the last run.
"$PY" manage.py collectstatic --noinput --verbosity 0
if command -v msgfmt >/dev/null 2>&1 && [[ -d yingji/locale ]]; then
  # Recompiles only the catalogues whose .po is newer than their .mo; the .mo files are committed, so
  # a machine without gettext still has the translations.
  "$PY" manage.py compilemessages --ignore '.venv' --ignore 'var' --verbosity 0 ||
    echo "run: compilemessages failed; using the committed .mo files" >&2
fi

pids=()
stopping=0
# Say something without dying of it: the terminal or pipe may be gone by the time we stop.
say() { echo "$@" 2>/dev/null || true; }
stop() {
  stopping=1
  kill -TERM "${pids[@]}" 2>/dev/null || true
  say
  say "run: stopping the web server and the job worker…"
  # Both stop within seconds (a job in progress is finished first); after 30 s they are killed.
  (
    trap 'kill "$nap" 2>/dev/null; exit 0' TERM
    sleep 30 &
    nap=$!
    wait "$nap"
    say "run: still running after 30 s; killing them."
    kill -KILL "${pids[@]}" 2>/dev/null
  ) &
  local watchdog=$! pid
  for pid in "${pids[@]}"; do
    # A second Ctrl-C interrupts `wait` (the handler below ignores it): wait again until it is gone.
    while kill -0 "$pid" 2>/dev/null; do wait "$pid" 2>/dev/null || true; done
  done
  kill "$watchdog" 2>/dev/null || true
  wait "$watchdog" 2>/dev/null || true
  say "run: stopped."
}
on_signal() {
  ((stopping)) && return 0
  stop
  exit 0
}
trap on_signal INT TERM HUP
# A closed terminal or pipe must not kill this script before it has stopped the servers.
trap '' PIPE

$SETSID .venv/bin/gunicorn yingji.wsgi \
  --workers 2 --worker-class gthread --threads 4 \
  --bind "0.0.0.0:${PORT}" \
  --no-control-socket \
  --access-logfile - &
pids+=($!)
# --no-reload: the autoreloader's parent would leave its child running when stopped.
# Niced, as docs/operations.md runs it: the web server's requests go first.
$SETSID nice -n 10 "$PY" manage.py db_worker --queue-name '*' --no-reload &
pids+=($!)

# Wait until the web server answers, then say where it is and who can log in.
ready=0
for _ in $(seq 100); do
  if "$PY" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:${PORT}/healthz', timeout=5)" 2>/dev/null; then
    ready=1
    break
  fi
  kill -0 "${pids[0]}" 2>/dev/null || break
  sleep 0.2
done
if ((!ready)); then
  say "run: the web server did not answer on port ${PORT}; see its log above." >&2
  stop
  exit 1
fi
cat <<MSG

==================================================================
 应急 Yingji is running: http://127.0.0.1:${PORT}/
 (bound to 0.0.0.0:${PORT}; web server pid ${pids[0]}, job worker pid ${pids[1]})
MSG
"$PY" scripts/demo_logins.py
cat <<MSG
 Ctrl-C stops both.
==================================================================

MSG

# Until a signal arrives (the trap stops both) or one of them exits on its own (then stop the other).
wait -n "${pids[@]}" || true
if ((!stopping)); then
  say "run: a process exited on its own; stopping the other." >&2
  stop
  exit 1
fi
