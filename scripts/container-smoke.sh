#!/usr/bin/env bash
# container-smoke.sh: build the image and check that it works as the README says.
# One verdict line per check (PASS/FAIL); exit code 0 only if every check passed.
#
#   scripts/container-smoke.sh            # from anywhere inside the repository
#
# Needs a Docker engine, Docker Compose (v2 `docker compose` or v1 `docker-compose`), the
# base images named in the Dockerfile and compose.yaml, uv, curl and jq. Network: only this
# machine and Docker's bridge. Bot API: the project's sandbox (scripts/smoke_sandbox.py),
# served on the Docker bridge's host address. It refuses to start if a container `hearth`
# or a volume `hearth-data` exists (the README's names: your deployment is left alone), uses
# Compose projects hearth-smoke-*, and removes what it made. Not part of .ci/run.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOKEN=123456789:smoke-test-token-abcdef
SECRET=smoke-webhook-secret
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hearth-smoke.XXXXXX")
SANDBOX_PID="" failures=0 started_run=0 projects=()
command -v uv >/dev/null || PATH=$HOME/.local/bin:$PATH  # uv's own installer puts it there
for tool in docker uv curl jq; do
  command -v "$tool" >/dev/null || { echo "container-smoke.sh: $tool is needed" >&2; exit 2; }
done
if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi

verdict() { # PASS|FAIL, check, detail
  printf '%-4s %-46s %s\n' "$1" "$2" "$3"
  [ "$1" = PASS ] || failures=$((failures + 1))
}
cleanup() {
  docker rm -f -v hearth-smoke-port0 >/dev/null 2>&1
  if [ "$started_run" = 1 ]; then
    docker rm -f hearth >/dev/null 2>&1
    docker volume rm hearth-data >/dev/null 2>&1
  fi
  for project in "${projects[@]}"; do
    (cd "$ROOT" && "${COMPOSE[@]}" -p "$project" down -v --remove-orphans >/dev/null 2>&1)
  done
  [ -z "$SANDBOX_PID" ] || kill "$SANDBOX_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
health() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$1" 2>/dev/null; }
wait_healthy() { # container, seconds
  for _ in $(seq "$2"); do
    case "$(health "$1")" in healthy) return 0 ;; unhealthy) return 1 ;; esac
    sleep 1
  done
  return 1
}
ip_of() { docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$1" | awk '{print $1}'; }
says_start() { # user id: /start from a new person is answered within 30 s
  curl -sf -X POST -H 'Content-Type: application/json' -d '{"text": "/start", "first_name": "Smoke"}' \
    "$API/sandbox/users/$1/text" >/dev/null || return 1
  curl -sf "$API/sandbox/chats/$1/messages?timeout=30" | jq -e '.result | length > 0' >/dev/null
}
compose() { (cd "$ROOT" && "${COMPOSE[@]}" -p "$project" "$@"); }
ids() { compose ps -q "$1"; }

# --- build ---------------------------------------------------------------------------
cd "$ROOT" || exit 1
s=$SECONDS
if docker build -t hearth . >"$WORK/build.log" 2>&1; then
  verdict PASS "docker build -t hearth ." "$((SECONDS - s)) s, image $(docker image inspect -f '{{.Size}}' hearth | awk '{printf "%.0f MB", $1 / 1e6}')"
else
  verdict FAIL "docker build -t hearth ." "see the end of the log:"; tail -n 15 "$WORK/build.log"; exit 1
fi

# --- the sandbox, on the Docker bridge's host address ---------------------------------
BRIDGE=$(ip -4 -o addr show docker0 2>/dev/null | awk '{print $4}' | cut -d/ -f1)
BRIDGE=${BRIDGE:-172.17.0.1}
mkfifo "$WORK/sandbox.in"
(cd "$ROOT" && exec uv run --quiet python scripts/smoke_sandbox.py "$BRIDGE" "$TOKEN" \
  <"$WORK/sandbox.in" >"$WORK/sandbox.out" 2>"$WORK/sandbox.err") &
SANDBOX_PID=$!
exec 9>"$WORK/sandbox.in"  # holds the sandbox's stdin open until this script ends
for _ in $(seq 60); do [ -s "$WORK/sandbox.out" ] && break; sleep 0.5; done
API=$(head -n 1 "$WORK/sandbox.out")
if [ -z "$API" ]; then verdict FAIL "sandbox" "did not start: $(tail -n 3 "$WORK/sandbox.err")"; exit 1; fi

# --- the README's docker run line, exactly ---------------------------------------------
RUN_LINE=$(grep -m 1 '^docker run ' README.md)
if docker container inspect hearth >/dev/null 2>&1 || docker volume inspect hearth-data >/dev/null 2>&1; then
  verdict FAIL "$RUN_LINE" "a container hearth or volume hearth-data exists already: not touched"
  exit 1
fi
sed -e "s|^TELEGRAM_BOT_TOKEN=.*|TELEGRAM_BOT_TOKEN=$TOKEN|" -e "s|^TELEGRAM_API_URL=.*|TELEGRAM_API_URL=$API|" \
  .env.example >"$WORK/.env"
started_run=1
if (cd "$WORK" && eval "$RUN_LINE") >"$WORK/run.out" 2>&1; then
  verdict PASS "$RUN_LINE" ".env = .env.example + token + TELEGRAM_API_URL=$API"
else
  verdict FAIL "$RUN_LINE" "$(tail -n 1 "$WORK/run.out")"
fi
IP=$(ip_of hearth)
ok=0; for _ in $(seq 30); do curl -sf "http://$IP:8080/healthz" >/dev/null && { ok=1; break; }; sleep 1; done
if [ "$ok" = 1 ]; then verdict PASS "/healthz" "http://$IP:8080/healthz answers 200"
else verdict FAIL "/healthz" "no answer; $(docker logs --tail 3 hearth 2>&1 | tr '\n' ' ')"; fi
s=$SECONDS
if wait_healthy hearth 90; then verdict PASS "health status" "healthy after $((SECONDS - s)) s (hearth healthcheck)"
else verdict FAIL "health status" "$(health hearth)"; fi
uid=$(docker exec hearth sh -c 'awk "/^Uid:/ {print \$2}" /proc/1/status' 2>&1)
user=$(docker exec hearth id -un 2>&1)
if [ "$uid" = 10001 ]; then verdict PASS "process user" "PID 1 runs as uid $uid ($user)"
else verdict FAIL "process user" "uid $uid"; fi
db=$(docker run --rm -v hearth-data:/v --entrypoint ls hearth -l /v 2>&1)
if grep -q ' hearth\.db$' <<<"$db"; then verdict PASS "/data holds the database" "volume hearth-data: $(grep ' hearth\.db$' <<<"$db" | awk '{print $3, $5, $NF}')"
else verdict FAIL "/data holds the database" "$(tr '\n' ' ' <<<"$db")"; fi
if says_start 1001; then verdict PASS "/start answered" "the sandbox got the bot's reply (long polling)"
else verdict FAIL "/start answered" "no reply within 30 s"; fi
s=$SECONDS
docker stop hearth >/dev/null
code=$(docker inspect -f '{{.State.ExitCode}}' hearth)
logs=$(docker logs hearth 2>&1)
if [ "$code" = 0 ] && ! grep -q Traceback <<<"$logs"; then
  verdict PASS "clean stop (docker stop)" "exit code 0 in $((SECONDS - s)) s, no traceback"
else verdict FAIL "clean stop (docker stop)" "exit code $code"; fi
docker rm -f hearth >/dev/null; docker volume rm hearth-data >/dev/null; started_run=0

# A host folder for /data that uid 10001 cannot write: one line and exit code 2.
mkdir -m 755 "$WORK/host-data"
out=$(cd "$WORK" && docker run --rm --env-file .env -v "$WORK/host-data:/data" hearth 2>&1); code=$?
if [ "$code" = 2 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q "DATABASE_URL.*/data" <<<"$out"; then
  verdict PASS "unwritable host folder as /data" "exit 2: $out"
else verdict FAIL "unwritable host folder as /data" "exit $code: $(tr '\n' ' ' <<<"$out")"; fi

# Settings only in a mounted /app/.env, HTTP_PORT=0: the health check finds the chosen port.
sed -e "s|^HTTP_PORT=.*|HTTP_PORT=0|" "$WORK/.env" >"$WORK/port0.env"
docker run -d --name hearth-smoke-port0 -v "$WORK/port0.env:/app/.env:ro" hearth >/dev/null 2>&1
ok=0; for _ in $(seq 30); do docker exec hearth-smoke-port0 hearth healthcheck >/dev/null 2>&1 && { ok=1; break; }; sleep 1; done
port=$(docker logs hearth-smoke-port0 2>&1 | grep -o 'HTTP server on port [0-9]*' | awk '{print $NF}')
if [ "$ok" = 1 ]; then verdict PASS "healthcheck: .env only, HTTP_PORT=0" "hearth healthcheck found /healthz on port $port"
else verdict FAIL "healthcheck: .env only, HTTP_PORT=0" "$(docker exec hearth-smoke-port0 hearth healthcheck 2>&1)"; fi
docker rm -f -v hearth-smoke-port0 >/dev/null 2>&1

# --- docker compose up with PostgreSQL --------------------------------------------------
# No .env: the settings come from the environment (a .env in the repository is ignored here,
# since variables set in the environment win).
export POSTGRES_PASSWORD=smoke-$RANDOM$RANDOM TELEGRAM_BOT_TOKEN=$TOKEN TELEGRAM_API_URL=$API
project=hearth-smoke-up; projects+=("$project")
s=$SECONDS
if compose up -d >"$WORK/up.log" 2>&1 && wait_healthy "$(ids bot)" 120; then
  migrated=$(docker inspect -f '{{.State.ExitCode}}' "$(ids migrate)")
  verdict PASS "${COMPOSE[*]} up -d (PostgreSQL)" "db healthy, migrate exited $migrated, bot healthy in $((SECONDS - s)) s"
else verdict FAIL "${COMPOSE[*]} up -d (PostgreSQL)" "$(tail -n 2 "$WORK/up.log" | tr '\n' ' ') $(compose logs --tail 3 bot 2>&1 | tr '\n' ' ')"; fi
if says_start 1002; then verdict PASS "/start answered (compose)" "the bot on PostgreSQL replied"
else verdict FAIL "/start answered (compose)" "no reply within 30 s"; fi
s=$SECONDS
if compose stop >/dev/null 2>&1 && [ "$(docker inspect -f '{{.State.ExitCode}}' "$(ids bot)")" = 0 ]; then
  verdict PASS "clean stop (compose stop)" "bot exit code 0 in $((SECONDS - s)) s"
else verdict FAIL "clean stop (compose stop)" "bot exit code $(docker inspect -f '{{.State.ExitCode}}' "$(ids bot)")"; fi
compose down -v >/dev/null 2>&1

# --- four replicas on a fresh database, webhook mode -------------------------------------
export WEBHOOK_URL=http://bot:8080/telegram WEBHOOK_SECRET=$SECRET
scale_check() { # title, how many replicas should run the migrations; then compose's arguments
  local title=$1 migrators=$2; shift 2
  s=$SECONDS
  if ! compose "$@" >"$WORK/scale.log" 2>&1; then
    verdict FAIL "$title" "$(tail -n 2 "$WORK/scale.log" | tr '\n' ' ')"; return
  fi
  local bots healthy=0 restarts=0 one
  bots=$(ids bot)
  for one in $bots; do wait_healthy "$one" 120 && healthy=$((healthy + 1)); done
  sleep 5  # a replica that crashed late would show now
  for one in $bots; do restarts=$((restarts + $(docker inspect -f '{{.RestartCount}}' "$one"))); done
  local count waited=0 migrated=0
  count=$(wc -w <<<"$bots")
  for one in $bots; do  # whole logs first: grep -q would cut `docker logs` off (pipefail)
    logs=$(docker logs "$one" 2>&1)
    grep -q "Running upgrade" <<<"$logs" && migrated=$((migrated + 1))
    grep -q "another process is migrating" <<<"$logs" && waited=$((waited + 1))
  done
  if [ "$count" = 4 ] && [ "$healthy" = 4 ] && [ "$restarts" = 0 ] && [ "$migrated" = "$migrators" ]; then
    verdict PASS "$title" "4 of 4 healthy in $((SECONDS - s)) s, 0 restarts; $migrated replica(s) migrated, $waited waited for the lock"
  else verdict FAIL "$title" "$healthy of $count healthy, $restarts restarts, $migrated migrated; $(compose logs --tail 2 bot 2>&1 | tr '\n' ' ')"; fi
}
project=hearth-smoke-scale; projects+=("$project")
scale_check "${COMPOSE[*]} up -d --scale bot=4" 0 up -d --scale bot=4
s=$SECONDS
if compose down -v >/dev/null 2>&1; then verdict PASS "clean stop (compose down)" "4 replicas, db and volume removed in $((SECONDS - s)) s"
else verdict FAIL "clean stop (compose down)" "compose down failed"; fi
# The same without the migrate service: four `hearth run` racing to migrate a fresh database.
project=hearth-smoke-race; projects+=("$project")
if compose up -d db >/dev/null 2>&1 && wait_healthy "$(ids db)" 60; then
  scale_check "4 replicas migrate at once (no migrate service)" 1 up -d --no-deps --scale bot=4 bot
else verdict FAIL "4 replicas migrate at once (no migrate service)" "db did not become healthy"; fi
compose down -v >/dev/null 2>&1

echo "$([ "$failures" = 0 ] && echo "all checks passed" || echo "$failures check(s) failed")"
[ "$failures" = 0 ]
