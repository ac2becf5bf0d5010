# shellcheck shell=bash
# Shared set-up for the scripts in this folder: finds or builds a Python >= 3.14.2
# with the test requirements, and runs commands in it. Sourced, never executed.
#
# Home Assistant 2026.3 and later needs Python >= 3.14.2. A host that has it gets a
# plain virtual environment. A host without it (Debian 12 or 13 today) gets a Debian
# sid root built with debootstrap, kept outside the checkout, and every command runs
# chrooted into it with the checkout bind-mounted at the same path, inside a private
# mount namespace so that no mount outlives the command.

set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${CXENGAGE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cxengage-ha}"
SID_ROOT="$CACHE_DIR/sid-root"
MIN_PYTHON="3.14.2"

log() { printf '==> %s\n' "$*" >&2; }

# Print the first host interpreter whose version is at least MIN_PYTHON.
find_host_python() {
  local candidate
  for candidate in python3.14 python3.15 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 14, 2))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

# Print a short hash of the given requirement files. Missing files count as empty.
requirements_hash() {
  local file
  for file in "$@"; do
    if [[ -f "$REPO_DIR/$file" ]]; then cat "$REPO_DIR/$file"; fi
  done | sha256sum | cut -c1-16
}

build_sid_root() {
  if [[ -x "$SID_ROOT/usr/bin/python3.14" ]]; then
    return 0
  fi
  if [[ "$(id -u)" != 0 ]]; then
    echo "No Python >= $MIN_PYTHON on this host, and building one with debootstrap needs root." >&2
    exit 1
  fi
  if ! command -v debootstrap >/dev/null 2>&1; then
    log "installing debootstrap"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  fi
  log "building a Debian sid root with Python 3.14 in $SID_ROOT (about a minute)"
  rm -rf "$SID_ROOT.partial"
  mkdir -p "$CACHE_DIR"
  debootstrap --variant=minbase --include=python3.14,python3.14-venv,ca-certificates \
    sid "$SID_ROOT.partial" >"$CACHE_DIR/debootstrap.log" 2>&1 ||
    { echo "debootstrap failed; see $CACHE_DIR/debootstrap.log" >&2; exit 1; }
  mv "$SID_ROOT.partial" "$SID_ROOT"
}

# Install a C compiler and the Python headers in the sid root. Home Assistant 2026.3.1
# pins lru-dict 1.3.0, which has no wheel for Python 3.14, so pip builds it from source.
# A host with its own Python 3.14 needs gcc and the Python headers there already.
# Some pinned packages have no Python 3.14 wheel on PyPI and build from source:
# lru-dict 1.3.0 (Home Assistant 2026.3.1), pymicro-vad and pyspeex-noise (the
# voice integrations the demo's web UI imports).
install_sid_compiler() {
  if [[ -x "$SID_ROOT/usr/bin/g++" && -f "$SID_ROOT/usr/include/python3.14/Python.h" ]]; then
    return 0
  fi
  log "installing gcc, g++ and the Python 3.14 headers in $SID_ROOT"
  # Debian mirrors that lag behind, or serve a snapshot, can hand out a sid Release
  # file past its one-week Valid-Until date. debootstrap accepts it, but apt-get
  # rejects it without this option.
  run_in_env apt-get -qq -o Acquire::Check-Valid-Until=false update
  run_in_env /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends gcc g++ libc6-dev python3.14-dev >/dev/null
}

# Install Debian's Chromium for scripts/browser-test, in the sid root or on a host
# that has its own Python 3.14. Call ensure_env first. Playwright drives this
# Chromium through executable_path, because `playwright install` would download a
# browser build of its own. The sid root has no fonts, so two packages give Chromium
# fallbacks for text outside the Roboto font that the Home Assistant frontend ships.
install_chromium() {
  local chromium=/usr/bin/chromium
  if [[ "$ENV_KIND" == sid ]]; then chromium="$SID_ROOT/usr/bin/chromium"; fi
  if [[ -x "$chromium" ]]; then
    return 0
  fi
  if [[ "$(id -u)" != 0 ]]; then
    echo "$chromium is missing, and installing Debian's chromium package needs root." >&2
    exit 1
  fi
  flock 9
  log "installing Debian's chromium package (about a minute)"
  run_in_env apt-get -qq -o Acquire::Check-Valid-Until=false update
  run_in_env /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends chromium fonts-liberation fonts-dejavu-core >/dev/null
  flock -u 9
}

# Run a command in the environment, with the working directory set to the checkout.
run_in_env() {
  if [[ "$ENV_KIND" == host ]]; then
    (cd "$REPO_DIR" && PATH="$VENV_DIR/bin:$PATH" VIRTUAL_ENV="$VENV_DIR" "$@")
    return
  fi
  cp /etc/resolv.conf "$SID_ROOT/etc/resolv.conf" 2>/dev/null || true
  cp /etc/ssl/certs/ca-certificates.crt "$SID_ROOT/etc/ssl/certs/ca-certificates.crt" 2>/dev/null || true
  mkdir -p "$SID_ROOT$REPO_DIR"
  # The inner shell receives the paths and the command as arguments, so nothing is re-quoted.
  unshare --mount --propagation private -- bash -c '
    set -e
    root=$1 repo=$2 venv=$3
    shift 3
    mount --bind "$repo" "$root$repo"
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
      CI="${CI:-}" PATH="$venv/bin:/usr/local/bin:/usr/bin:/bin" VIRTUAL_ENV="$venv" \
      PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180 \
      /bin/bash -c "cd \"\$0\" && exec \"\$@\"" "$repo" "$@"
  ' cxengage-env "$SID_ROOT" "$REPO_DIR" "$VENV_DIR" "$@"
}

# Create or refresh an environment and select it for run_in_env. The argument picks
# the Home Assistant version: "newest" (the default, from requirements_test.txt,
# requirements_demo.txt, requirements_browser.txt and requirements_bench.txt, so
# that mypy sees every import) or "min" (the oldest supported
# release, from requirements_test_min.txt). Cheap when nothing changed: a stamp file
# records the hash of the requirement files each environment was built from.
ensure_env() {
  local version="${1:-newest}" host_python stamp wanted suffix file
  local -a requirement_files pip_args=()
  case "$version" in
    newest)
      suffix=""
      requirement_files=(
        requirements_test.txt requirements_demo.txt requirements_browser.txt
        requirements_bench.txt
      )
      ;;
    min) suffix="-min" requirement_files=(requirements_test_min.txt) ;;
    *) echo "Unknown Home Assistant version '$version': use newest or min." >&2; exit 2 ;;
  esac
  mkdir -p "$CACHE_DIR"
  exec 9>"$CACHE_DIR/setup.lock"
  flock 9

  if host_python="$(find_host_python)"; then
    ENV_KIND=host
    VENV_DIR="$CACHE_DIR/venv-host$suffix"
    [[ -x "$VENV_DIR/bin/python" ]] || "$host_python" -m venv "$VENV_DIR"
  else
    ENV_KIND=sid
    VENV_DIR="/opt/cxengage-venv$suffix"
    build_sid_root
    [[ -x "$SID_ROOT$VENV_DIR/bin/python" ]] || run_in_env /usr/bin/python3.14 -m venv "$VENV_DIR"
    install_sid_compiler
  fi

  stamp="$CACHE_DIR/requirements-$ENV_KIND$suffix.stamp"
  wanted="$(requirements_hash "${requirement_files[@]}")"
  if [[ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]]; then
    log "installing the $version test requirements (about a minute on the first run)"
    for file in "${requirement_files[@]}"; do
      if [[ -f "$REPO_DIR/$file" ]]; then pip_args+=(-r "$file"); fi
    done
    run_in_env python -m pip install --quiet --upgrade pip
    run_in_env python -m pip install --quiet "${pip_args[@]}"
    echo "$wanted" >"$stamp"
  fi
  flock -u 9
}
