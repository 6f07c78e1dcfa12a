# shellcheck shell=bash
# Shared by the project's scripts: where the Python >= 3.14.2 toolchain lives and how to run in it.
#
# Home Assistant 2026.3+ needs Python >= 3.14.2. When the machine has one, we use it directly.
# Otherwise (Debian 12 ships 3.11) we build and cache a Debian "forky" root folder that has it,
# and run every command inside that root with chroot, in a private mount namespace so that
# every mount we make disappears with the command.

OTTO_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OTTO_CACHE="${OTTOENGINE_CACHE:-/var/cache/ottoengine}"
OTTO_ROOT="${OTTOENGINE_ROOT:-$OTTO_CACHE/forky-root}"
OTTO_MIN_PY="3.14.2"
# Debian packages the root needs: Python for HA, plus the real servers the simulated farm runs.
OTTO_ROOT_PACKAGES="python3.14 python3.14-venv python3.14-dev ca-certificates gcc g++ libc6-dev \
mosquitto mosquitto-clients vsftpd db-util libpam-modules libsodium-dev curl procps \
chromium fonts-dejavu-core"

otto_log() { printf '\033[1m[ottoengine]\033[0m %s\n' "$*" >&2; }
otto_die() { otto_log "error: $*"; exit 1; }

# Prints the path of a native Python >= 3.14.2, or nothing.
otto_native_python() {
  [ "${OTTOENGINE_FORCE_ROOT:-0}" = "1" ] && return 0
  local candidate
  for candidate in python3.14 python3.15 python3 python; do
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 14, 2) else 1)' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 0
}

# A key that changes when the requirements change, so each set gets its own cached venv.
otto_requirements_key() {
  cat "$OTTO_REPO/requirements_test.txt" "$OTTO_REPO/requirements_moonraker.txt" 2>/dev/null \
    | sha256sum | cut -c1-12
}

otto_mode() {
  if [ -n "$(otto_native_python)" ]; then echo native; else echo root; fi
}

# Where the test venv is, as seen by commands run through otto_exec.
otto_venv() {
  if [ "$(otto_mode)" = native ]; then
    echo "$OTTO_CACHE/venv-native-$(otto_requirements_key)"
  else
    echo "/opt/ottoengine/venv-$(otto_requirements_key)"
  fi
}

# Moonraker runs from its own venv: installed into HA's venv it would downgrade zeroconf.
otto_moonraker_venv() {
  if [ "$(otto_mode)" = native ]; then
    echo "$OTTO_CACHE/moonraker-venv-$(otto_requirements_key)"
  else
    echo "/opt/ottoengine/moonraker-venv-$(otto_requirements_key)"
  fi
}

# Schemathesis (the fuzz lane, tests/e2e/test_fuzz.py) runs from its own venv beside the test
# venv, keyed by requirements_fuzz.txt alone: it never changes the test venv's key. The lane
# creates it on first use; `scripts/setup --fuzz` does so ahead of time.
otto_fuzz_venv() {
  local key
  key="$(sha256sum "$OTTO_REPO/requirements_fuzz.txt" | cut -c1-12)"
  echo "$(dirname "$(otto_venv)")/fuzz-venv-$key"
}

# Host folders bound into the root at the same paths for the next otto_exec (colon-separated),
# so that a path given to a script means there what it means on the host.
OTTO_BIND="${OTTO_BIND:-}"

# Binds the folder of every path that a path option of a script names (--describe FILE,
# --farm FILE, --config DIR, ...), as --opt VALUE or --opt=VALUE. A folder the root cannot share
# (/, /usr, /etc, ...) is refused with a clear message.
otto_bind_path_options() {
  local arg path want=""
  for arg in "$@"; do
    path=""
    if [ -n "$want" ]; then
      path="$arg"
      want=""
    else
      case "$arg" in
        --describe | --identity-dir | --farm | --config | --stack-file | --workdir | --ams-loadout) want=1 ;;
        --describe=* | --identity-dir=* | --farm=* | --config=* | --stack-file=* | --workdir=* | --ams-loadout=*)
          path="${arg#*=}" ;;
      esac
    fi
    [ -n "$path" ] && otto_bind_folder_of "$path"
  done
  return 0
}

otto_bind_folder_of() {
  local abs dir
  abs="$(realpath -m -- "$1")"
  dir="$(dirname -- "$abs")"
  case "$abs/" in "$OTTO_REPO"/*) return 0 ;; esac
  case "$dir" in
    / | /usr | /etc | /bin | /sbin | /lib | /lib64 | /opt | /proc | /sys | /dev | /var | /boot | /run)
      otto_die "$1: the toolchain root cannot share $dir; put it in a folder of its own (in the checkout, /tmp or your home)" ;;
  esac
  mkdir -p -- "$dir"
  OTTO_BIND="${OTTO_BIND:+$OTTO_BIND:}$dir"
}

# Runs "$@" in the toolchain environment, in the current directory, with the test venv first on
# PATH. Inside the root, the repository (and ../shared) appear at the same paths as outside, and
# so do the folders in OTTO_BIND and the current directory.
otto_exec() {
  local venv
  venv="$(otto_venv)"
  local path="$venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  if [ "$(otto_mode)" = native ]; then
    PATH="$path" VIRTUAL_ENV="$venv" "$@"
    return $?
  fi
  [ -x "$OTTO_ROOT/usr/bin/python3.14" ] || otto_die "no toolchain root at $OTTO_ROOT: run scripts/setup"
  local shared
  shared="$(cd "$OTTO_REPO/.." && pwd)/shared"
  cp -f /etc/resolv.conf "$OTTO_ROOT/etc/resolv.conf" 2>/dev/null || true
  local bind="$OTTO_BIND"
  case "$PWD/" in
    "$OTTO_REPO"/* | "$shared"/* | /) ;;
    *) bind="${bind:+$bind:}$PWD" ;;  # the script runs where the user is
  esac
  unshare --mount --propagation private -- /bin/bash -s -- "$OTTO_ROOT" "$OTTO_REPO" "$shared" \
    "$PWD" "$path" "$venv" "$bind" "$@" <<'INNER'
set -e
root="$1" repo="$2" shared="$3" cwd="$4" path="$5" venv="$6" bind="$7"
shift 7
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --rbind /sys "$root/sys" 2>/dev/null || true
IFS=: read -r -a folders <<< "$bind"
for folder in "${folders[@]}"; do
  [ -n "$folder" ] || continue
  mkdir -p "$root$folder"
  mount --bind "$folder" "$root$folder"
done
mkdir -p "$root$repo" "$root/tmp"
mount --bind "$repo" "$root$repo"
if [ -d "$shared" ]; then mkdir -p "$root$shared"; mount --bind "$shared" "$root$shared"; fi
exec chroot "$root" /usr/bin/env -u PYTHONPATH -u PYTHONHOME -u VIRTUAL_ENV -u PYENV_VERSION -u PIP_FIND_LINKS \
  HOME=/root PATH="$path" VIRTUAL_ENV="$venv" LANG=C.UTF-8 LC_ALL=C.UTF-8 \
  /bin/bash -c 'cd "$0" && exec "$@"' "$cwd" "$@"
INNER
}
