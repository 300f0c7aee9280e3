#!/usr/bin/env bash
# Read throughput of the API against a bare endpoint in the same run (ratios survive a noisy machine).
# Needs: PostgreSQL on 127.0.0.1:5432 (trust auth), wrk (apt-get install wrk). Run from the repo root:
#   bash bench/api_read.sh        → prints a Markdown table to paste into bench/RESULTS.md
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
DB=yingji_bench
PORT=${BENCH_PORT:-8799}
DURATION=${BENCH_SECONDS:-10}
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB" DJANGO_DEBUG=false DJANGO_SSL_REDIRECT=false \
  DJANGO_SECURE_COOKIES=false DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_HSTS_SECONDS=0 \
  DJANGO_SECRET_KEY="bench-only-secret-key-bench-only-secret-key-bench-only-0123456789"
$PY manage.py migrate -v0
$PY manage.py load_demo >/dev/null
$PY manage.py collectstatic --noinput -v0
TOKEN=$($PY manage.py issue_token hq_duty)
OUTLET_TOKEN=$($PY manage.py issue_token hexie_manager)
.venv/bin/gunicorn yingji.wsgi -w 2 -b 127.0.0.1:$PORT --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null; wait $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
rate() {  # path, token → requests/s
  local auth=()
  [ -n "${2:-}" ] && auth=(-H "Authorization: Bearer $2")
  wrk -t2 -c8 -d"${DURATION}s" "${auth[@]}" "http://127.0.0.1:$PORT$1" | awk '/Requests\/sec/ {print $2}'
}
bare=$(rate /healthz)
units=$(rate /api/v1/units "$TOKEN")
units_outlet=$(rate /api/v1/units "$OUTLET_TOKEN")
me=$(rate /api/v1/me "$TOKEN")
echo "| endpoint | req/s | ratio to bare |"
echo "|---|---|---|"
for row in "GET /healthz (bare: SELECT 1)|$bare" "GET /api/v1/units (head office, 21 units)|$units" \
           "GET /api/v1/units (outlet, 1 unit)|$units_outlet" "GET /api/v1/me|$me"; do
  name=${row%|*}; value=${row#*|}
  printf '| %s | %s | %s |\n' "$name" "$value" "$(python3 -c "print(f'{$value/$bare:.2f}')")"
done
