#!/usr/bin/env bash
# Tests/systemd/deb-test.sh: the Debian package, end to end (`make deb-test`).
#   1. make deb (deploy/make-deb.sh): release build with --static-swift-stdlib, strip, man
#      page, completions, dpkg-shlibdeps, dpkg-deb; timed
#   2. lintian on the .deb: no errors
#   3. the packaged binary on a machine without the toolchain: in a mount namespace with an
#      empty tmpfs over /opt/swift, ldd finds every library and --version, check and demo run
#   4. Tests/systemd/run.sh --deb: dpkg -i into the real-systemd harness, start the unit from
#      the package, the harness's checks, then upgrade, remove and purge
#
#   MANGROVE_DEB_TEST=1 Tests/systemd/deb-test.sh [--deb FILE] [--bin-dir DIR]
#
# Opt-in (MANGROVE_DEB_TEST=1): the release build alone takes 7 minutes or more on 2 cores,
# so .ci/run prints a SKIP line with this reason instead. --deb FILE tests an existing
# package (no build). DIR holds mangrove-sim for the harness (default .build/debug; built
# if missing). Needs root (mount namespaces, systemd). Prints PASS/FAIL lines and
# "deb test: N passed, N failed".
set -uo pipefail

readonly REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEB=""
BIN_DIR="${BIN_DIR:-.build/debug}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --deb) [[ $# -ge 2 ]] || { echo "deb-test.sh: --deb needs a file" >&2; exit 2; }; DEB="$2"; shift 2 ;;
        --bin-dir) [[ $# -ge 2 ]] || { echo "deb-test.sh: --bin-dir needs a directory" >&2; exit 2; }
            BIN_DIR="$2"; shift 2 ;;
        -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "deb-test.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done
[[ "$BIN_DIR" == /* ]] || BIN_DIR="$REPO_ROOT/$BIN_DIR"

skip() { echo "SKIP: deb test: $*"; exit 0; }
if [[ "${MANGROVE_DEB_TEST:-0}" != 1 ]]; then
    skip "opt-in, as its release build (--static-swift-stdlib) alone takes 7+ min on 2 cores; run: make deb-test (or MANGROVE_DEB_TEST=1 $0)"
fi
[[ $EUID -eq 0 ]] || skip "needs root (mount namespaces, dpkg -i into the systemd harness)"
for tool in dpkg-deb lintian unshare; do
    command -v "$tool" >/dev/null || skip "$tool is missing (bash .ci/setup --deb installs it)"
done

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
note() { sed 's/^/      /' <<<"$*"; }
WORK="$(mktemp -d)"
trap 'rm -rf -- "$WORK"' EXIT

# ---------------------------------------------------------------- 1. make deb
if [[ -z "$DEB" ]]; then
    started=$SECONDS
    if bash "$REPO_ROOT/deploy/make-deb.sh" > "$WORK/make-deb.log" 2>&1; then
        DEB="$(sed -n 's/^install:  apt install //p' "$WORK/make-deb.log")"
        pass "make deb: $(basename "$DEB") in $((SECONDS - started)) s"
        grep -E '^(==>|Depends:|.*bytes|debug symbols:|make deb:)' "$WORK/make-deb.log" | sed 's/^/      /'
    else
        fail "make deb (deploy/make-deb.sh) failed after $((SECONDS - started)) s"
        note "$(tail -n 40 "$WORK/make-deb.log")"
        echo "deb test: $PASSED passed, $FAILED failed"
        exit 1
    fi
fi
[[ "$DEB" == /* ]] || DEB="$(pwd)/$DEB"
[[ -f "$DEB" ]] || { fail "no package at $DEB"; echo "deb test: $PASSED passed, $FAILED failed"; exit 1; }
echo "      package: $(basename "$DEB"), $(stat -c %s "$DEB") bytes ($(du -h "$DEB" | cut -f1))"
dpkg-deb --field "$DEB" Version Depends Installed-Size | sed 's/^/      /'

# ---------------------------------------------------------------- 2. lintian
lintian_out="$(lintian --tag-display-limit 0 --show-overrides "$DEB" 2>&1 | grep -v '^running with root privileges')"
errors="$(grep -c '^E: ' <<<"$lintian_out")"
warnings="$(grep -c '^W: ' <<<"$lintian_out")"
overridden="$(grep -c '^O: ' <<<"$lintian_out")"
if [[ "$errors" -eq 0 ]]; then
    pass "lintian $(lintian --version | awk '{print $2}'): 0 errors, $warnings warnings, $overridden overridden (deploy/debian/lintian-overrides says why)"
else
    fail "lintian: $errors errors, $warnings warnings"
fi
[[ -n "$lintian_out" ]] && note "$lintian_out"

# ---------------------------------------------------------------- contents
contents="$(dpkg-deb -c "$DEB" | awk '{print $1, $NF}')"
for path in ./usr/bin/mangrove-scheduler ./lib/systemd/system/mangrove-scheduler.service \
    ./usr/lib/systemd/catalog/mangrove-scheduler.catalog ./usr/share/man/man1/mangrove-scheduler.1.gz \
    ./usr/share/bash-completion/completions/mangrove-scheduler ./usr/share/zsh/vendor-completions/_mangrove-scheduler \
    ./usr/share/fish/vendor_completions.d/mangrove-scheduler.fish ./etc/mangrove-scheduler/schedule.json \
    ./usr/share/doc/mangrove-scheduler/copyright ./usr/share/doc/mangrove-scheduler/changelog.gz; do
    grep -q " $path\$" <<<"$contents" || fail "contents: $path missing"
done
if dpkg-deb -I "$DEB" conffiles 2>/dev/null | grep -qx /etc/mangrove-scheduler/schedule.json \
    && [[ $(grep -c '^' <<<"$contents") -gt 10 ]]; then
    pass "contents: binary, unit, catalog, man page, bash/zsh/fish completions, copyright, changelog; schedule.json is a conffile"
else
    fail "contents: schedule.json is not a conffile"
fi

# ---------------------------------------------------------------- 3. without /opt/swift
dpkg-deb -x "$DEB" "$WORK/root"
BIN="$WORK/root/usr/bin/mangrove-scheduler"
echo "      installed binary: $(stat -c %s "$BIN") bytes ($(du -h --apparent-size "$BIN" | cut -f1)); $(file -b "$BIN" | cut -d, -f1-2)"
# The whole proof runs in one private mount namespace: /opt/swift is an empty tmpfs there,
# and the toolchain is not on PATH. Only 127.0.0.1 is contacted (demo's simulator).
cat > "$WORK/no-swift.sh" <<'SH'
set -u
mount --make-rprivate /
mount -t tmpfs -o size=1m tmpfs /opt/swift
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
echo "/opt/swift: $(ls -A /opt/swift | wc -l) entries; swift on PATH: $(command -v swift || echo none)"
echo "--- ldd"
ldd "$BIN" || exit 10
ldd "$BIN" | grep -q "not found" && exit 11
echo "--- --version"
"$BIN" --version || exit 12
echo "--- check"
"$BIN" check --config "$ROOT/etc/mangrove-scheduler/schedule.json" || exit 13
echo "--- demo"
timeout 300 "$BIN" demo || exit 14
SH
no_swift_out="$(BIN="$BIN" ROOT="$WORK/root" unshare --mount bash "$WORK/no-swift.sh" 2>&1)"
no_swift_rc=$?
if [[ $no_swift_rc -eq 0 ]] && grep -q '^/opt/swift: 0 entries' <<<"$no_swift_out" \
    && ! grep -q '/opt/swift' <<<"$(sed -n '/^--- ldd/,/^--- --version/p' <<<"$no_swift_out")" \
    && grep -q 'generated once against the built-in simulator' <<<"$no_swift_out"; then
    pass "self-contained: with /opt/swift hidden (empty tmpfs in a mount namespace) ldd resolves everything from Debian, --version, check and demo run"
else
    fail "self-contained: rc=$no_swift_rc (10 ldd, 11 library not found, 12 --version, 13 check, 14 demo)"
fi
note "$no_swift_out"

# ---------------------------------------------------------------- 4. real systemd, from the package
if [[ ! -x "$BIN_DIR/mangrove-sim" ]]; then
    echo "      building mangrove-sim for the harness (swift build --product mangrove-sim)"
    (cd "$REPO_ROOT" && swift build --product mangrove-sim >/dev/null) || fail "swift build --product mangrove-sim"
fi
harness_out="$(bash "$REPO_ROOT/Tests/systemd/run.sh" --deb "$DEB" --bin-dir "$BIN_DIR" 2>&1)"
harness_rc=$?
note "$harness_out"
summary="$(grep '^systemd harness:' <<<"$harness_out")"
if [[ $harness_rc -eq 0 && "$summary" == *" 0 failed" ]] && grep -q '^PASS: start:' <<<"$harness_out"; then
    pass "systemd: dpkg -i into the real-systemd harness, the unit started from the package ($summary)"
else
    fail "systemd: harness with --deb (rc=$harness_rc; ${summary:-no summary})"
fi

echo "deb test: $PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
