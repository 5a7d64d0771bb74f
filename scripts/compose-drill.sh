#!/usr/bin/env bash
# The compose drill: builds the image from the Dockerfile, starts deploy/compose.yaml
# (PostgreSQL, an S3-compatible store, migrations, three anjian processes, nginx) with
# podman and podman-compose, and checks it as an operator would: probes and health
# checks through nginx, a directory and a plan imported, a login, evidence uploaded
# and read back through the balancer from the bucket, one process stopped under load
# with every request answered, then `down`.
#
#   scripts/compose-drill.sh             # images from their registries
#   ANJIAN_DRILL_STANDINS=1 scripts/compose-drill.sh
#
# With ANJIAN_DRILL_STANDINS=1 (a machine that reaches Debian's mirror and crates.io but
# no container registry, like the one this was written on) the base images the
# Dockerfile and the compose file name are first built locally under the same names
# from scripts/compose-drill/: Debian bookworm by debootstrap, Rust 1.95 by rustup,
# PostgreSQL 15 and nginx from Debian, the s3s-fs server in MinIO's place and a
# two-command `mc`. The image build compiles the product from scratch (about 13 minutes
# on 2 cores). Runs as root; port 8080 must be free.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
drill=scripts/compose-drill
base=http://127.0.0.1:8080
work=$(mktemp -d)
pass='Drill#2026pass'

need() { command -v "$1" >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }
need podman podman
need podman-compose podman-compose
need runc runc
# This kind of VM refuses the runtime's default rlimits (above the host's hard limits)
# and crun's view of its hybrid cgroups: runc, with limits it may set.
if [ ! -f /etc/containers/containers.conf ]; then
  mkdir -p /etc/containers
  printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=4096:4096"]\n\n[engine]\nruntime = "runc"\n' \
    "$(ulimit -Hn)" "$(ulimit -Hn)" > /etc/containers/containers.conf
fi

if [ "${ANJIAN_DRILL_STANDINS:-}" = 1 ]; then
  need debootstrap debootstrap
  if ! podman image exists docker.io/library/debian:bookworm-slim; then
    root=/var/tmp/anjian-drill-bookworm
    [ -x "$root/bin/sh" ] || debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -c . | podman import - docker.io/library/debian:bookworm-slim >/dev/null
  fi
  # A proxy's own CA (if the machine has one) for rustup and crates.io in the build.
  cp /usr/local/share/ca-certificates/*.crt "$drill/rust/" 2>/dev/null || touch "$drill/rust/none.crt"
  export PATH="$HOME/.cargo/bin:$PATH"
  command -v s3s-fs >/dev/null || cargo install s3s-fs --version 0.14.1 --features binary --locked
  cp "$(command -v s3s-fs)" "$drill/minio/s3s-fs"
  for spec in rust=docker.io/library/rust:1.95-bookworm postgres=docker.io/library/postgres:15 \
      nginx=docker.io/library/nginx:stable minio=docker.io/minio/minio:latest mc=docker.io/minio/mc:latest; do
    podman image exists "${spec#*=}" || podman build --network host -q -t "${spec#*=}" "$drill/${spec%%=*}" >/dev/null
  done
  rm -f "$drill/minio/s3s-fs" "$drill"/rust/*.crt
fi

echo "== the image (Dockerfile; docker format keeps the HEALTHCHECK)"
podman build --format docker --network host -t localhost/anjian:drill . > "$work/build.log" 2>&1 ||
  { tail -n 40 "$work/build.log"; exit 1; }
grep -E '^ *Finished' "$work/build.log" || true
# podman-compose names a built service's image <project>_<service>; the project is the
# directory's name.
podman tag localhost/anjian:drill localhost/deploy_migrate localhost/deploy_anjian
[ "$(podman image inspect localhost/anjian:drill --format '{{.Config.User}}')" = anjian ]
podman image inspect localhost/anjian:drill --format '{{json .HealthCheck}}' | grep -q readyz

cd deploy
[ -f secret.key ] || head -c 32 /dev/urandom > secret.key
compose() { podman-compose -f compose.yaml "$@" >>"$work/compose.log" 2>&1; }
trap 'podman rm -f anjian-drill-demo >/dev/null 2>&1; cd "$repo/deploy"; podman-compose -f compose.yaml down -v >/dev/null 2>&1; podman network rm -f deploy_default >/dev/null 2>&1 || true' EXIT
# podman-compose 1.0 does not wait on depends_on conditions: start in their order.
# podman-compose 1.0 ignores the network's pinned subnet: create it as Docker would.
podman network exists deploy_default || podman network create --subnet 172.28.0.0/24 deploy_default >/dev/null
compose up -d postgres minio
until podman exec deploy_postgres_1 pg_isready -U anjian >/dev/null 2>&1; do sleep 1; done
compose up -d bucket migrate
for c in deploy_bucket_1 deploy_migrate_1; do
  [ "$(podman wait "$c")" = 0 ] || { podman logs "$c"; exit 1; }
done
compose up -d --no-deps anjian nginx
for i in $(seq 60); do curl -fs -o /dev/null "$base/readyz" && break; sleep 1; done

echo "== probes through nginx, each process's health check, a non-root process"
curl -fsS "$base/readyz"; echo
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/metrics")" = 404 ]
for i in 1 2 3; do podman healthcheck run "deploy_anjian_$i"; done
[ "$(podman exec deploy_anjian_1 id -u)" = 10001 ]

echo "== an operator's first steps: the directory, the plan, accounts"
cli() { podman exec -e ANJIAN_NEW_PASSWORD="$pass" -e ANJIAN_LOG=warn deploy_anjian_1 anjian "$@"; }
# The directory sheet: the demo's, exported by the image itself.
podman run -d --name anjian-drill-demo -e ANJIAN_DEMO_PASSWORD="$pass" localhost/anjian:drill demo >/dev/null
until podman exec anjian-drill-demo curl -fs -o /dev/null http://127.0.0.1:8080/healthz; do sleep 1; done
podman exec anjian-drill-demo anjian directory export /tmp/units.xlsx >/dev/null
podman cp anjian-drill-demo:/tmp/units.xlsx "$work/units.xlsx"
podman rm -f anjian-drill-demo >/dev/null
podman cp "$work/units.xlsx" deploy_anjian_1:/tmp/units.xlsx
podman cp "$repo/seed/tongliang-2022-work-plan.txt" deploy_anjian_1:/tmp/plan.txt
cli directory import /tmp/units.xlsx
cli directory groups
cli plan import /tmp/plan.txt --ends-on 2027-03-31 | tail -n 1
# Every township owes the plan's work (its groups defined before the plan came in).
[ "$(podman exec deploy_postgres_1 psql -U anjian -d anjian -tAc \
  "SELECT COUNT(DISTINCT o.unit_id) FROM obligations o JOIN units u ON u.id = o.unit_id WHERE u.kind = 'township'")" = 28 ]
cli user create yjj --name 区应急局操作员 --unit tl-dept-041 --role unit_operator

echo "== a login, evidence in the bucket, read back through every process"
jar=$work/jar
# As from a client behind its own office proxy: nginx appends the address it saw, the
# processes believe nginx (the pinned subnet) and take the right-most address not in it.
curl -fsS -c "$jar" -b "$jar" -H "Origin: $base" -H 'Content-Type: application/json' \
  -H 'X-Forwarded-For: 203.0.113.7' \
  -d "{\"username\":\"yjj\",\"password\":\"$pass\"}" -o /dev/null "$base/api/v1/auth/login"
clients=$(podman exec deploy_postgres_1 psql -U anjian -d anjian -tAc "SELECT DISTINCT client FROM rate_counts")
echo "the login was counted against: $clients"
if [ "$clients" != 203.0.113.7 ]; then echo "the forwarded client was not believed" >&2; exit 1; fi
obligation=$(curl -fsS -b "$jar" "$base/api/v1/obligations?limit=100" |
  python3 -c 'import json,sys; print(next(o["id"] for o in json.load(sys.stdin) if o["state"] in ("pending","overdue")))')
python3 - "$work/p.png" <<'PY'
import struct, sys, zlib
def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
open(sys.argv[1], 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 1, 1, 8, 2, 0, 0, 0))
    + chunk(b'IDAT', zlib.compress(b'\x00\xff\x00\x00')) + chunk(b'IEND', b''))
PY
[ "$(curl -s -b "$jar" -H "Origin: $base" -F 'text=经负载均衡提交' -F "evidence=@$work/p.png;filename=现场.png" \
  -o /dev/null -w '%{http_code}' "$base/obligations/$obligation/reports")" = 303 ]
sha=$(sha256sum "$work/p.png" | cut -d' ' -f1)
podman exec deploy_minio_1 test -f "/data/anjian/files/${sha:0:2}/$sha"
for i in 1 2 3 4 5 6; do
  curl -fsS -b "$jar" -o "$work/back.png" "$base/obligations/$obligation/evidence/$sha"
  cmp -s "$work/back.png" "$work/p.png"
done

echo "== one process stopped under load: every request answered"
(sleep 1; podman stop -t 30 deploy_anjian_2 >/dev/null 2>&1) &
curl -s -b "$jar" --parallel --parallel-max 4 -w '%{http_code} %{time_total}\n' \
  $(for i in $(seq 1500); do echo "-o /dev/null $base/api/v1/obligations?limit=50"; done) > "$work/load" 2>/dev/null
wait
awk '{n[$1]++; if ($2 > max) max = $2} END {for (c in n) print n[c], "answered", c; print "slowest", max, "s"}' "$work/load"
[ "$(awk '{print $1}' "$work/load" | sort -u)" = 200 ]
# nginx gives up on the stopped process's address after 2 s and tries the next.
awk '$2 > 5 {exit 1}' "$work/load"
[ "$(podman inspect deploy_anjian_2 --format '{{.State.ExitCode}}')" = 0 ]

echo "compose drill passed"
