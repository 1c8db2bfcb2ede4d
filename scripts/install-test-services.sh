#!/usr/bin/env bash
# Installs what the executor and sandbox tests need on Debian 12, idempotently: an SSH server and client, rsync,
# a single-node Slurm (slurmctld + slurmd + munge), and bubblewrap (the agent's shell sandbox); `chromium` (the
# report's browser test) only when named. Services are not started here: the tests start their own
# (a loopback sshd, a localhost Slurm) with generated configurations and stop them at the end.
set -euo pipefail

# One installer at a time (test suites call this concurrently); apt also waits for its own lock.
exec 9>/tmp/autotrainess-install-test-services.lock
flock 9

# `ray`: Ray (with its dashboard, which serves the Jobs REST API) in its own venv, not from apt and without root:
# ~/.cache/autotrainess/ray-venv (AUTOTRAINESS_RAY_VENV overrides). Kept apart from the managed training venv so
# that Ray's pins never move LlamaFactory's.
if [ "${1:-}" = "ray" ]; then
    venv="${AUTOTRAINESS_RAY_VENV:-$HOME/.cache/autotrainess/ray-venv}"
    if [ -x "$venv/bin/ray" ] && "$venv/bin/python" -c 'import ray.dashboard' 2>/dev/null; then
        echo "[install-test-services] already installed: ray ($("$venv/bin/ray" --version 2>/dev/null)) in $venv"
        exit 0
    fi
    echo "[install-test-services] creating $venv and installing ray[default]==2.52.1 (once; about a minute)"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "ray[default]==2.52.1"
    echo "[install-test-services] done: ray in $venv"
    exit 0
fi

# With package names as arguments, only those (e.g. `install-test-services.sh bubblewrap`).
packages=(openssh-server openssh-client rsync procps munge slurm-wlm slurm-client bubblewrap)
if [ $# -gt 0 ]; then
    packages=("$@")
fi
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "[install-test-services] already installed: ${packages[*]}"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "[install-test-services] missing ${missing[*]}; run this script as root (apt-get needs it)." >&2
    exit 1
fi
echo "[install-test-services] apt-get update"
apt-get -o DPkg::Lock::Timeout=600 update
echo "[install-test-services] installing: ${missing[*]}"
# Installing must not start the packaged daemons: the tests run their own, with their own configs.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod +x "$policy"
    created_policy=1
fi
trap 'if [ "$created_policy" -eq 1 ]; then rm -f "$policy"; fi' EXIT
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
echo "[install-test-services] done: ${missing[*]}"
