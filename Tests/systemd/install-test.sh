#!/usr/bin/env bash
# Tests/systemd/install-test.sh: deploy/install.sh into throw-away DESTDIRs (never the real /).
# No root, no systemd, no build needed (a stand-in binary is installed).
#   Tests/systemd/install-test.sh
# Prints PASS/FAIL lines and "install.sh tests: N passed, N failed"; exits non-zero on failure.
set -uo pipefail

readonly REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly INSTALL="$REPO_ROOT/deploy/install.sh"
PASSED=0
FAILED=0
check() { # check "description" command...
    local what="$1"; shift
    if "$@"; then PASSED=$((PASSED + 1)); echo "PASS: $what"; else FAILED=$((FAILED + 1)); echo "FAIL: $what"; fi
}

WORK="$(mktemp -d)"
trap 'rm -rf -- "$WORK"' EXIT
printf '#!/bin/sh\necho stand-in\n' > "$WORK/fake-binary"
chmod 0755 "$WORK/fake-binary"

# 1. A fresh install.
D1="$WORK/fresh"
out1="$("$INSTALL" --destdir "$D1" --binary "$WORK/fake-binary" 2>&1)"
rc1=$?
check "fresh install exits 0" test $rc1 -eq 0
check "binary installed 0755 to /usr/local/bin" \
    test "$(stat -c %a "$D1/usr/local/bin/mangrove-scheduler" 2>/dev/null)" = 755
check "unit installed 0644 to /etc/systemd/system" \
    test "$(stat -c %a "$D1/etc/systemd/system/mangrove-scheduler.service" 2>/dev/null)" = 644
check "unit ExecStart is /usr/local/bin/mangrove-scheduler run --config /etc/mangrove-scheduler/schedule.json" \
    grep -qx 'ExecStart=/usr/local/bin/mangrove-scheduler run --config /etc/mangrove-scheduler/schedule.json' \
    "$D1/etc/systemd/system/mangrove-scheduler.service"
check "message catalog installed" test -f "$D1/usr/lib/systemd/catalog/mangrove-scheduler.catalog"
check "config directory created" test -d "$D1/etc/mangrove-scheduler"
if [[ -f "$REPO_ROOT/config/schedule.example.json" ]]; then
    check "example schedule installed as schedule.json" \
        cmp -s "$REPO_ROOT/config/schedule.example.json" "$D1/etc/mangrove-scheduler/schedule.json"
else
    echo "SKIP: config/schedule.example.json not in this checkout"
fi
check "no token file is created" test ! -e "$D1/etc/mangrove-scheduler/api-token"
check "next steps tell how to store the token" grep -q "api-token" <<<"$out1"
check "next steps say systemctl enable --now" grep -q "systemctl enable --now mangrove-scheduler" <<<"$out1"

# 2. Existing schedule and token are never overwritten (nor read).
D2="$WORK/existing"
mkdir -p "$D2/etc/mangrove-scheduler"
echo '{"mine": true}' > "$D2/etc/mangrove-scheduler/schedule.json"
printf 'secret-token-value\n' > "$D2/etc/mangrove-scheduler/api-token"
chmod 0600 "$D2/etc/mangrove-scheduler/api-token"
out2="$(DESTDIR="$D2" "$INSTALL" --binary "$WORK/fake-binary" 2>&1)"
check "existing schedule kept" grep -qx '{"mine": true}' "$D2/etc/mangrove-scheduler/schedule.json"
check "existing token kept, mode 0600" test "$(cat "$D2/etc/mangrove-scheduler/api-token")" = secret-token-value \
    -a "$(stat -c %a "$D2/etc/mangrove-scheduler/api-token")" = 600
check "installer says it kept them" grep -q "kept existing schedule" <<<"$out2"
check "installer never prints the token" eval '! grep -q secret-token-value <<<"$out2"'

# 3. --prefix moves the binary and the unit's ExecStart.
D3="$WORK/prefix"
"$INSTALL" --destdir "$D3" --prefix /opt/mangrove --binary "$WORK/fake-binary" >/dev/null 2>&1
check "--prefix /opt/mangrove installs to /opt/mangrove/bin" test -x "$D3/opt/mangrove/bin/mangrove-scheduler"
check "--prefix rewrites ExecStart" \
    grep -q '^ExecStart=/opt/mangrove/bin/mangrove-scheduler run' "$D3/etc/systemd/system/mangrove-scheduler.service"

# 4. --dry-run changes nothing.
D4="$WORK/dry"
out4="$("$INSTALL" --destdir "$D4" --dry-run 2>&1)"
check "--dry-run exits 0 and creates nothing" test $? -eq 0 -a ! -e "$D4"
check "--dry-run shows the release build" grep -q "would run: swift build .*-c release --product mangrove-scheduler" <<<"$out4"

# 5. Bad arguments are refused with a message.
"$INSTALL" --destdir "$WORK/x" --prefix relative/path >/dev/null 2>"$WORK/err"
check "relative --prefix refused" grep -q "must be absolute" "$WORK/err"

echo "install.sh tests: $PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
