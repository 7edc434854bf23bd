#!/usr/bin/env bash
# Install mangrove-scheduler as a systemd service.
#
#   deploy/install.sh [--prefix DIR] [--destdir DIR] [--binary PATH | --skip-build] [--dry-run]
#
# Builds the release binary, installs it to PREFIX/bin (default /usr/local/bin),
# the unit to /etc/systemd/system, the journal message catalog to
# /usr/lib/systemd/catalog (the only place journalctl reads catalogs from), and
# the example schedule to /etc/mangrove-scheduler/schedule.json unless a
# schedule is already there.
# Never creates, reads or overwrites the API token, never overwrites a schedule,
# never starts anything: it prints the remaining steps instead.
#
# DESTDIR (environment or --destdir) stages everything under another root, for
# packaging or testing:  DESTDIR=$(mktemp -d) deploy/install.sh --binary .build/debug/mangrove-scheduler
set -euo pipefail

readonly REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly UNIT_NAME=mangrove-scheduler.service
readonly DEFAULT_EXEC=/usr/local/bin/mangrove-scheduler

PREFIX=/usr/local
DESTDIR="${DESTDIR:-}"
DRY_RUN=0
BUILD=1
BINARY=""
# A self-contained binary: production hosts usually have no Swift runtime, and
# ProtectHome= would hide a toolchain installed under /root or /home.
SWIFT_BUILD_FLAGS="${SWIFT_BUILD_FLAGS:---static-swift-stdlib}"

usage() {
    # The whole header comment, up to `set -euo pipefail`.
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
    cat <<USAGE

Options:
  --prefix DIR    install the binary to DIR/bin (default /usr/local); the unit's ExecStart follows
  --destdir DIR   stage under DIR instead of / (same as DESTDIR=DIR)
  --binary PATH   install this already-built binary instead of building
  --skip-build    install the existing release build (.build/release/mangrove-scheduler)
  --dry-run       print what would be done, change nothing, build nothing
  -h, --help      this text
Environment: DESTDIR, SWIFT_BUILD_FLAGS (default: --static-swift-stdlib)
USAGE
}

die() { echo "install.sh: $*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --prefix) [[ $# -ge 2 ]] || die "--prefix needs a directory"; PREFIX="$2"; shift 2 ;;
        --prefix=*) PREFIX="${1#*=}"; shift ;;
        --destdir) [[ $# -ge 2 ]] || die "--destdir needs a directory"; DESTDIR="$2"; shift 2 ;;
        --destdir=*) DESTDIR="${1#*=}"; shift ;;
        --binary) [[ $# -ge 2 ]] || die "--binary needs a path"; BINARY="$2"; BUILD=0; shift 2 ;;
        --binary=*) BINARY="${1#*=}"; BUILD=0; shift ;;
        --skip-build) BUILD=0; shift ;;
        --dry-run) DRY_RUN=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done

[[ "$PREFIX" == /* ]] || die "--prefix must be absolute (got '$PREFIX')"
DESTDIR="${DESTDIR%/}"
if [[ -n "$DESTDIR" && "$DESTDIR" != /* ]]; then DESTDIR="$(pwd)/$DESTDIR"; fi
if [[ -z "$DESTDIR" && $DRY_RUN -eq 0 && $EUID -ne 0 ]]; then
    die "installing into / needs root (or use --destdir DIR / --dry-run)"
fi

readonly BIN_DEST="$DESTDIR$PREFIX/bin/mangrove-scheduler"
readonly EXEC_PATH="$PREFIX/bin/mangrove-scheduler"
readonly UNIT_DEST="$DESTDIR/etc/systemd/system/$UNIT_NAME"
readonly CONFIG_DIR="$DESTDIR/etc/mangrove-scheduler"
readonly SCHEDULE_DEST="$CONFIG_DIR/schedule.json"
readonly TOKEN_PATH="$CONFIG_DIR/api-token"
readonly EXAMPLE_SCHEDULE="$REPO_ROOT/config/schedule.example.json"
readonly UNIT_SOURCE="$REPO_ROOT/deploy/$UNIT_NAME"
readonly CATALOG_SOURCE="$REPO_ROOT/deploy/mangrove-scheduler.catalog"
readonly CATALOG_DEST="$DESTDIR/usr/lib/systemd/catalog/mangrove-scheduler.catalog"

# Runs a command, or only shows it with --dry-run.
run() {
    if [[ $DRY_RUN -eq 1 ]]; then
        printf 'would run:'; printf ' %q' "$@"; printf '\n'
    else
        printf '+'; printf ' %q' "$@"; printf '\n'
        "$@"
    fi
}

[[ -f "$UNIT_SOURCE" ]] || die "missing $UNIT_SOURCE"

# 1. The binary.
if [[ $BUILD -eq 1 ]]; then
    # shellcheck disable=SC2086  # SWIFT_BUILD_FLAGS is a list of flags
    run swift build --package-path "$REPO_ROOT" -c release --product mangrove-scheduler $SWIFT_BUILD_FLAGS
fi
if [[ -z "$BINARY" ]]; then
    BINARY="$REPO_ROOT/.build/release/mangrove-scheduler"
fi
if [[ $DRY_RUN -eq 0 && ! -x "$BINARY" ]]; then
    die "no executable at $BINARY (build it, or pass --binary PATH)"
fi
run install -D -m 0755 "$BINARY" "$BIN_DEST"

# 2. The unit, with ExecStart following --prefix.
if [[ $DRY_RUN -eq 1 ]]; then
    echo "would write: $UNIT_DEST (ExecStart=$EXEC_PATH ...)"
else
    echo "+ write $UNIT_DEST (ExecStart=$EXEC_PATH ...)"
    install -d -m 0755 "$(dirname "$UNIT_DEST")"
    unit_tmp="$(mktemp "$(dirname "$UNIT_DEST")/.$UNIT_NAME.XXXXXX")"
    sed "s|$DEFAULT_EXEC|$EXEC_PATH|g" "$UNIT_SOURCE" > "$unit_tmp"
    chmod 0644 "$unit_tmp"
    mv -f "$unit_tmp" "$UNIT_DEST"
fi

# 3. The message catalog: `journalctl -x` explains each MESSAGE_ID (after --update-catalog).
if [[ -f "$CATALOG_SOURCE" ]]; then
    run install -D -m 0644 "$CATALOG_SOURCE" "$CATALOG_DEST"
fi

# 4. Configuration: never overwrite an operator's schedule or token.
run install -d -m 0755 "$CONFIG_DIR"
if [[ -e "$SCHEDULE_DEST" ]]; then
    echo "kept existing schedule: $SCHEDULE_DEST"
elif [[ -f "$EXAMPLE_SCHEDULE" ]]; then
    run install -m 0644 "$EXAMPLE_SCHEDULE" "$SCHEDULE_DEST"
    if [[ $DRY_RUN -eq 1 ]]; then
        echo "would install the example schedule (edit it before starting): $SCHEDULE_DEST"
    else
        echo "installed the example schedule; edit it before starting: $SCHEDULE_DEST"
    fi
else
    echo "warning: $EXAMPLE_SCHEDULE not found; write $SCHEDULE_DEST yourself" >&2
fi

# 4b. Shell completions and the man page, generated from the binary (deploy/generate-docs.sh,
# shared with the .deb build).
if [[ $DRY_RUN -eq 1 ]]; then
    echo "would install: bash/zsh/fish completions and mangrove-scheduler.1 (deploy/generate-docs.sh)"
else
    docs_tmp="$(mktemp -d)"
    # The man page needs the toolchain's generate-manual plugin: only when this run builds.
    man_flag=(); [[ $BUILD -eq 1 ]] || man_flag=(--no-man)
    if "$REPO_ROOT/deploy/generate-docs.sh" --binary "$BIN_DEST" --out "$docs_tmp" "${man_flag[@]}" >/dev/null 2>&1; then
        run install -D -m 0644 "$docs_tmp/completions/mangrove-scheduler.bash" "$DESTDIR/usr/share/bash-completion/completions/mangrove-scheduler"
        run install -D -m 0644 "$docs_tmp/completions/_mangrove-scheduler" "$DESTDIR/usr/share/zsh/vendor-completions/_mangrove-scheduler"
        run install -D -m 0644 "$docs_tmp/completions/mangrove-scheduler.fish" "$DESTDIR/usr/share/fish/vendor_completions.d/mangrove-scheduler.fish"
        if [[ -f "$docs_tmp/man/mangrove-scheduler.1" ]]; then
            run install -D -m 0644 "$docs_tmp/man/mangrove-scheduler.1" "$DESTDIR$PREFIX/share/man/man1/mangrove-scheduler.1"
        fi
    else
        echo "warning: completions and man page not generated (deploy/generate-docs.sh failed)" >&2
    fi
    rm -rf "$docs_tmp"
fi

token_missing=1
if [[ -e "$TOKEN_PATH" ]]; then
    token_missing=0
    mode="$(stat -c %a "$TOKEN_PATH")"
    if [[ "$mode" != 600 && "$mode" != 400 ]]; then
        echo "warning: $TOKEN_PATH has mode $mode; run: chmod 0600 $TOKEN_PATH" >&2
    fi
    echo "kept existing token file: $TOKEN_PATH (not read)"
fi

# 5. What is left for the operator.
echo
echo "Next steps:"
step=1
if [[ $token_missing -eq 1 ]]; then
    echo "  $step. Store the Mangrove API token (mode 0600, root-owned; systemd hands it to the service):"
    echo "       install -m 0600 /dev/stdin /etc/mangrove-scheduler/api-token   # paste the token, then Ctrl-D"
    step=$((step + 1))
fi
echo "  $step. Check the schedule:  $EXEC_PATH check --config /etc/mangrove-scheduler/schedule.json"
step=$((step + 1))
echo "  $step. systemctl daemon-reload && journalctl --update-catalog"
step=$((step + 1))
echo "  $step. systemctl enable --now mangrove-scheduler"
step=$((step + 1))
echo "  $step. systemctl status mangrove-scheduler; journalctl -u mangrove-scheduler -f"
if [[ -n "$DESTDIR" ]]; then
    echo "(staged under DESTDIR=$DESTDIR; the paths above are as seen on the target system)"
fi
