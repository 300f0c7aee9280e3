#!/usr/bin/env bash
# `make run`: prepare the database (migrations, plan library, demo bank) and the static files, then
# run the web server (gunicorn, 2 workers of 4 threads) and one job worker side by side until Ctrl-C or
# SIGTERM, which stops both and waits for them. A job worker that dies is started again (after 1, 2,
# 4 … up to 60 s); the web server keeps serving meanwhile. If the web server dies, everything stops.
#
# Only this machine can reach it (127.0.0.1): the demo logins, the superuser included, share a
# password printed in the README. `make run HOST=0.0.0.0` (or BIND=0.0.0.0 scripts/run.sh) opens it to
# the network on purpose.
#
# It runs as production does, with DEBUG off, so what people try is what the bank gets: the product's own
# 404/403/500 pages, never Django's debug page (which lists every URL and setting). The servers' lines go
# to var/log/web.log and var/log/worker.log; the terminal keeps only what a person needs, the address
# and the logins last.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PORT=${PORT:-8000}
BIND=${BIND:-127.0.0.1}
# The job worker's command line. Niced, as docs/operations.md runs it: the web server's requests go
# first. --no-reload: the autoreloader's parent would leave its child running when stopped.
WORKER_CMD=(nice -n 10 "$PY" manage.py jobs_worker --queue-name '*')
# The demo's signal simulator (the call centre and two outlets reporting, so a warning is raised and
# cleared within the first minutes): SIMULATE=0 leaves it out, as a real deployment does.
SIMULATE=${SIMULATE:-1}
# The servers run in sessions of their own, so a Ctrl-C at the terminal reaches this script alone
# and they get exactly one, graceful SIGTERM from it (a second signal would cut a running job short).
SETSID=$(command -v setsid || true)

# gunicorn wants an IPv6 address in brackets; where to knock on it from this machine.
case "$BIND" in
  \[*\]) address=$BIND ;;
  *:*) address="[$BIND]" ;;
  *) address=$BIND ;;
esac
case "$BIND" in
  0.0.0.0) local_address=127.0.0.1 ;;
  :: | \[::\]) local_address="[::1]" ;;
  *) local_address=$address ;;
esac
url="http://${local_address}:${PORT}/"

# var/ unless the settings are told another place (YINGJI_VAR_DIR), as the database and static files are.
VAR=${YINGJI_VAR_DIR:-var}
mkdir -p "$VAR/log"
WEB_LOG=$VAR/log/web.log
WORKER_LOG=$VAR/log/worker.log
SIMULATOR_LOG=$VAR/log/simulator.log
# DEBUG off needs a secret key of its own: one made on the first run and kept in var/ (never committed),
# so sessions outlive a restart. The environment's DJANGO_SECRET_KEY, if set, wins.
if [[ ! -s $VAR/secret_key ]]; then
  (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$VAR/secret_key")
fi
DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-$(<"$VAR/secret_key")}
DJANGO_DEBUG=${DJANGO_DEBUG:-false}
# The names this machine answers to, the bound address, and whatever the environment adds.
hosts="127.0.0.1,localhost,[::1]"
case "$BIND" in
  0.0.0.0 | :: | "[::]" | 127.0.0.1 | localhost | ::1 | "[::1]") ;;
  *) hosts="${hosts},${address}" ;;
esac
DJANGO_ALLOWED_HOSTS="${hosts}${DJANGO_ALLOWED_HOSTS:+,${DJANGO_ALLOWED_HOSTS}}"
# Plain HTTP on this machine: no redirect to HTTPS, cookies not HTTPS-only, no HSTS pinned in the
# browser for 127.0.0.1. Mail goes to the worker's log, as the SMS console gateway's messages do.
DJANGO_SSL_REDIRECT=${DJANGO_SSL_REDIRECT:-false}
DJANGO_SECURE_COOKIES=${DJANGO_SECURE_COOKIES:-false}
DJANGO_HSTS_SECONDS=${DJANGO_HSTS_SECONDS:-0}
EMAIL_BACKEND=${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}
export DJANGO_SECRET_KEY DJANGO_DEBUG DJANGO_ALLOWED_HOSTS DJANGO_SSL_REDIRECT DJANGO_SECURE_COOKIES \
  DJANGO_HSTS_SECONDS EMAIL_BACKEND

echo "run: preparing the database…"
"$PY" manage.py migrate --noinput --verbosity 0
# The audit checkpoints' signing key (never in the database): made under var/audit/ if none is
# configured, and said so (docs/operations.md, "Checking the audit chain").
"$PY" manage.py audit_keygen --if-missing
# The shipped plan library, then the demo bank: both add or update only what changed.
"$PY" manage.py load_plans
"$PY" manage.py load_drill_templates
"$PY" manage.py load_security_checklists
"$PY" manage.py load_readiness_course
"$PY" manage.py load_yearplan_template
"$PY" manage.py start_training_check
"$PY" manage.py load_demo
# The shipped warning rules (监测预警): adds only those missing.
"$PY" manage.py load_warning_rules >/dev/null
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

# Runs the job worker and starts it again whenever it exits, until this subshell gets SIGTERM: then it
# passes one SIGTERM on, waits up to 30 s for the job in hand to finish, kills the worker, and exits.
# A worker that ran less than a minute waits twice as long as last time before its next start (1 s, 2,
# 4 … 60 s); after five such deaths in a row it says so loudly, and goes on trying once a minute.
supervise_worker() {
  local worker quitting=0 delay=1 quick_deaths=0 started status nap deadline
  trap 'quitting=1' TERM
  # A closed terminal's SIGHUP is the script's to handle (it sends SIGTERM here).
  trap '' HUP
  local starts=0
  while ((!quitting)); do
    started=$SECONDS
    $SETSID "${WORKER_CMD[@]}" >>"$WORKER_LOG" 2>&1 &
    worker=$!
    starts=$((starts + 1))
    # The first start is in the banner; a restart is news for the terminal.
    if ((starts > 1)); then
      say "run: job worker started again (pid ${worker}); its log: ${WORKER_LOG}." >&2
    fi
    status=0
    # A SIGTERM interrupts `wait`: pass one SIGTERM on, give the job in hand 30 s, then kill.
    while kill -0 "$worker" 2>/dev/null; do
      if ((quitting)); then
        kill -TERM "$worker" 2>/dev/null || true
        deadline=$((SECONDS + 30))
        while kill -0 "$worker" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
        kill -KILL "$worker" 2>/dev/null || true
      fi
      wait "$worker" 2>/dev/null && status=0 || status=$?
    done
    ((quitting)) && break
    if ((SECONDS - started >= 60)); then
      delay=1
      quick_deaths=0
    else
      quick_deaths=$((quick_deaths + 1))
    fi
    say "run: the job worker exited (status ${status}); starting it again in ${delay} s." \
      "The web server is still up." >&2
    if ((quick_deaths >= 5)); then
      say "run: THE JOB WORKER KEEPS DYING (${quick_deaths} times in a row, each within a minute):" \
        "notices are not being sent. Its log: ${WORKER_LOG}. Still trying, at most once a minute." >&2
    fi
    sleep "$delay" &
    nap=$!
    wait "$nap" 2>/dev/null || true
    kill "$nap" 2>/dev/null || true
    delay=$((delay * 2 > 60 ? 60 : delay * 2))
  done
  exit 0
}

stop() {
  stopping=1
  kill -TERM "${pids[@]}" 2>/dev/null || true
  say
  say "run: stopping the web server and the job worker…"
  # Both stop within seconds (a job in progress is finished first); after 30 s the web server is
  # killed (the worker's supervisor kills the worker itself at 30 s).
  (
    trap 'kill "$nap" 2>/dev/null; exit 0' TERM
    sleep 30 &
    nap=$!
    wait "$nap"
    say "run: still running after 30 s; killing them."
    kill -KILL "${pids[0]}" 2>/dev/null
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
  --bind "${address}:${PORT}" \
  --no-control-socket \
  --access-logfile - >>"$WEB_LOG" 2>&1 &
pids+=($!)
# In the background a subshell ignores Ctrl-C (SIGINT): only this script's SIGTERM stops it.
supervise_worker &
pids+=($!)
if ((SIMULATE)); then
  # Stopped with the others (stop() sends every pid one SIGTERM and waits for it).
  $SETSID nice -n 10 "$PY" manage.py simulate_signals >>"$SIMULATOR_LOG" 2>&1 &
  pids+=($!)
fi

# Wait until the web server answers, then say where it is and who can log in.
ready=0
for _ in $(seq 100); do
  # Any HTTP answer will do (a 503 while the database is away, a 400 for a name not in ALLOWED_HOSTS).
  if "$PY" -c "
import urllib.error, urllib.request
try:
    urllib.request.urlopen('${url}healthz', timeout=5)
except urllib.error.HTTPError:
    pass" 2>/dev/null; then
    ready=1
    break
  fi
  kill -0 "${pids[0]}" 2>/dev/null || break
  sleep 0.2
done
if ((!ready)); then
  say "run: the web server did not answer at ${url}healthz. The end of ${WEB_LOG}:" >&2
  tail -n 20 "$WEB_LOG" >&2 || true
  stop
  exit 1
fi
if ! kill -0 "${pids[1]}" 2>/dev/null; then
  say "run: the job worker's supervisor is gone; see ${WORKER_LOG}." >&2
  stop
  exit 1
fi
case "$BIND" in
  127.* | localhost | ::1 | "[::1]")
    reach=" Only this machine can reach it. To open it to the network: make run HOST=0.0.0.0
 (then anyone there can sign in with the logins above; add this machine's name to DJANGO_ALLOWED_HOSTS)." ;;
  *)
    reach=" Bound to ${address}:${PORT}: OPEN TO THE NETWORK, where anyone can sign in with the logins
 above (the names they use must be in DJANGO_ALLOWED_HOSTS). Without HOST only this machine can reach it." ;;
esac
# Last, once both are up: what a person came for is the address and the logins, not the servers' lines.
cat <<MSG

==================================================================
 Web server (pid ${pids[0]}): log in ${WEB_LOG}.
 Job worker: log in ${WORKER_LOG} (notices sent; the demo's SMS and e-mail are
 written there, one line per SMS). It is started again if it dies.
 Signal simulator (SIMULATE=0 leaves it out): log in ${SIMULATOR_LOG}; a queue
 warning at 和谐路营业部 is raised at once and cleared within minutes (预警 page).
 Ctrl-C stops them all.

MSG
"$PY" scripts/demo_logins.py
cat <<MSG

 应急 Yingji is running: ${url}
${reach}
==================================================================

MSG

# Until a signal arrives (the trap stops both) or the web server exits on its own (then stop the
# worker too). The worker's exits are its supervisor's business.
while kill -0 "${pids[0]}" 2>/dev/null; do wait "${pids[0]}" || true; done
if ((!stopping)); then
  say "run: the web server exited on its own; stopping the job worker." >&2
  stop
  exit 1
fi
