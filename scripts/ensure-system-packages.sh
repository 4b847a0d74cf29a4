#!/usr/bin/env bash
# Install the Debian packages gonogo's demo stack and tests need, if any is missing.
# As root: installs them with apt-get. Otherwise: says exactly what to install and fails.
set -euo pipefail

# command or path -> Debian package
declare -A NEED=(
  [nginx]=nginx
  [redis-server]=redis-server
  [prometheus]=prometheus
  [prometheus-alertmanager]=prometheus-alertmanager
  [chromium]=chromium
  [gpg]=gnupg
  [/usr/lib/postgresql/15/bin/initdb]=postgresql-15
  [/usr/lib/postgresql/15/bin/pg_amcheck]=postgresql-client-15
  [/usr/sbin/pgbouncer]=pgbouncer
  [/usr/sbin/sshd]=openssh-server
  [ssh]=openssh-client
  [wrk]=wrk
)

missing=()
for what in "${!NEED[@]}"; do
  if [[ "$what" == /* ]]; then [[ -x "$what" ]] && continue; else command -v "$what" >/dev/null 2>&1 && continue; fi
  missing+=("${NEED[$what]}")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)

if [[ $(id -u) -ne 0 ]]; then
  echo "gonogo: missing system packages: ${missing[*]}" >&2
  echo "gonogo: install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "gonogo: installing system packages: ${missing[*]} (about a minute)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "gonogo: system packages installed" >&2
