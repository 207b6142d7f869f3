#!/usr/bin/env bash
# Installs what the integration and E2E tests need on a Debian 12 machine, from Debian's packages only:
# a Docker engine (docker.io), Compose v1 (docker-compose, bookworm), Compose v2 (the cli plugin taken
# from Debian 13's docker-compose package, see shared/facts.md), busybox-static (test images are built
# from it with `docker import`, never pulled), Chromium (E2E) and a Japanese font for its screenshots. Then starts dockerd if it is not
# running. Safe to run again: every step checks first. Needs root (apt-get, dockerd).
set -euo pipefail

log() { printf '[setup] %s\n' "$*"; }

need_pkgs=()
# fonts-ipafont-gothic: Japanese glyphs, so E2E screenshots of the ja UI are readable.
# zip: the plugin packaging benchmark compares against `zip -qr`.
for p in docker.io docker-compose busybox-static chromium fonts-ipafont-gothic zip; do
  dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p")
done
if ((${#need_pkgs[@]})); then
  log "installing ${need_pkgs[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

# Compose v2: Debian 12 has none; Debian 13's package carries the cli plugin and runs on Debian 12.
plugin_dir="${HOME}/.docker/cli-plugins"
if [ ! -x "${plugin_dir}/docker-compose" ]; then
  log "installing Compose v2 cli plugin from Debian 13's docker-compose package"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/apt/lists/partial" "$tmp/apt/cache/archives/partial" "$tmp/etc"
  # The Debian mirror this machine already uses (never written into the repo): the first non-security
  # URI of an enabled bookworm source, in either the one-line or the deb822 format.
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | grep -E '^deb +(\[[^]]*\] +)?[a-z]+://[^ ]+ +bookworm( |$)' | awk '{for(i=2;i<=NF;i++) if ($i ~ /:\/\//) {print $i; exit}}' | head -n1 || true)
  if [ -z "$mirror" ]; then
    mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -E '^URIs:' | grep -v security \
      | head -n1 | awk '{print $2}' || true)
  fi
  [ -n "$mirror" ] || { log "cannot find the Debian mirror in apt sources"; exit 1; }
  echo "deb [trusted=yes] ${mirror} trixie main" > "$tmp/etc/trixie.list"
  aptopts=(-o "Dir::Etc::sourcelist=$tmp/etc/trixie.list" -o "Dir::Etc::sourceparts=-" \
    -o "Dir::State::Lists=$tmp/apt/lists" -o "Dir::Cache::archives=$tmp/apt/cache/archives" \
    -o "Dir::State::status=/dev/null" -o "APT::Get::List-Cleanup=0" -o "Acquire::Check-Valid-Until=false" -o "APT::Sandbox::User=root")
  apt-get "${aptopts[@]}" update -qq
  (cd "$tmp" && apt-get "${aptopts[@]}" download docker-compose >/dev/null)
  deb=$(ls "$tmp"/docker-compose_*.deb | head -n1)
  dpkg -x "$deb" "$tmp/x"
  mkdir -p "$plugin_dir"
  install -m 0755 "$tmp/x/usr/libexec/docker/cli-plugins/docker-compose" "$plugin_dir/docker-compose"
fi

# Prefer Debian's docker client (it matches the 20.10 engine) over any newer client on PATH.
docker_bin=/usr/bin/docker
[ -x "$docker_bin" ] || docker_bin=$(command -v docker)

if ! "$docker_bin" version >/dev/null 2>&1; then
  log "starting dockerd"
  mkdir -p /var/log
  nohup dockerd >/var/log/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    "$docker_bin" version >/dev/null 2>&1 && break
    sleep 0.5
  done
  "$docker_bin" version >/dev/null 2>&1 || { log "dockerd did not start; see /var/log/dockerd.log"; tail -n 30 /var/log/dockerd.log; exit 1; }
fi

log "docker engine: $("$docker_bin" version --format '{{.Server.Version}}')"
log "compose v2: $("$docker_bin" compose version --short 2>/dev/null || echo missing)"
log "compose v1: $(docker-compose version --short 2>/dev/null || echo missing)"
log "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo missing)"
