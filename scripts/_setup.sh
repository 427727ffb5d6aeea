# Shared by scripts/run.sh and scripts/test.sh (sourced, not run): the Python environment and the
# Debian packages the application needs. Safe to run again: each step checks before it acts.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
LOCK="$ROOT/requirements.lock"
STAMP="$VENV/.requirements.lock.sha256"
APT_UPDATED=""

say() { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }

find_python() {
  local candidate
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "error: Python 3.11 or newer is needed (python3.11 or python3 >= 3.11 on PATH)" >&2
  return 1
}

ensure_venv() {
  if [ ! -x "$PY" ]; then
    local python
    python="$(find_python)"
    say "creating .venv with $python"
    "$python" -m venv "$VENV"
  fi
  local want
  want="$(sha256sum "$LOCK" | cut -d' ' -f1)"
  if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
    say "installing requirements.lock into .venv"
    "$PY" -m pip install --quiet --quiet --disable-pip-version-check --require-hashes -r "$LOCK"
    echo "$want" >"$STAMP"
  fi
}

is_root() { [ "$(id -u)" = "0" ]; }

apt_install() {
  # Installs Debian packages (root only); a failure is reported by the return code.
  if ! is_root || ! command -v apt-get >/dev/null 2>&1; then
    return 1
  fi
  if [ -z "$APT_UPDATED" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
    APT_UPDATED=1
  fi
  say "installing Debian packages: $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1
}

# grep reads the whole list (no -q): with `set -o pipefail` an early exit of grep would kill
# ldconfig with SIGPIPE and report a library that is there as missing.
has_lib() { ldconfig -p 2>/dev/null | grep -F -- "$1" >/dev/null; }

# Installed: its library is in the linker cache, or dpkg has the package installed (the cache
# may lag behind an installation that has just finished).
has_package_lib() {
  has_lib "$2" || dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -F "install ok installed" >/dev/null
}

ensure_runtime_packages() {
  # WeasyPrint (PDF reports) needs Pango; fonts for Chinese text in PDFs come from the system.
  local -A libs=(
    [libpango-1.0-0]='libpango-1.0.so.0'
    [libpangoft2-1.0-0]='libpangoft2-1.0.so.0'
    [libharfbuzz-subset0]='libharfbuzz-subset.so.0'
  )
  local missing=() still=() package
  has_lib "${libs[libpango-1.0-0]}" || missing+=(libpango-1.0-0)
  has_lib "${libs[libpangoft2-1.0-0]}" || missing+=(libpangoft2-1.0-0)
  # Optional (fast font subsetting), and not in every release: only when apt knows it.
  if ! has_lib "${libs[libharfbuzz-subset0]}" && is_root \
    && apt-cache show libharfbuzz-subset0 >/dev/null 2>&1; then
    missing+=(libharfbuzz-subset0)
  fi
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  apt_install "${missing[@]}" || true
  # apt-get's exit code is not the answer (another run may hold the lock and install them):
  # warn about what is still missing after the attempt.
  for package in "${missing[@]}"; do
    has_package_lib "$package" "${libs[$package]}" || still+=("$package")
  done
  if [ "${#still[@]}" -gt 0 ]; then
    warn "could not install ${still[*]}; PDF output may not work"
  fi
}

ensure_test_packages() {
  if ! command -v chromium >/dev/null 2>&1; then
    apt_install chromium || warn "could not install chromium; the browser tests will fail"
  fi
  if ! command -v msgfmt >/dev/null 2>&1; then
    apt_install gettext || warn "could not install gettext; using the committed .mo files"
  fi
  if ! command -v pdftotext >/dev/null 2>&1; then
    apt_install poppler-utils || warn "could not install poppler-utils; the PDF tests will fail"
  fi
}

compile_messages() {
  if [ -d "$ROOT/locale" ] && command -v msgfmt >/dev/null 2>&1; then
    (cd "$ROOT" && "$PY" manage.py compilemessages --ignore=.venv -v0)
  fi
}
