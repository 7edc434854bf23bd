#!/usr/bin/env bash
# Tests/systemd/run.sh: mangrove-scheduler under a real systemd (252), booted as
# PID 1 of private namespaces. Proves what unit tests cannot: Type=notify
# readiness, STATUS=, journal fields, reload, watchdog restart, clean stop,
# credentials and the hardened unit, with the unit and install.sh from deploy/.
#
# Usage (as root; builds nothing):
#   Tests/systemd/run.sh [--bin-dir DIR]    # the real daemon: DIR/mangrove-scheduler, DIR/mangrove-sim
#   Tests/systemd/run.sh --self-test        # same checks against a stand-in daemon (python3), no Swift binaries
#   Tests/systemd/run.sh --deb FILE.deb [--bin-dir DIR]
#                                           # installs the package with dpkg instead of install.sh (DIR only
#                                           # needs mangrove-sim), runs the same checks on the packaged daemon,
#                                           # then upgrade, remove and purge
# Environment:
#   BIN_DIR      default .build/debug (relative to the repository root)
#   SIM_PORT     port of the simulator inside the namespace (default 18089)
#   SIM_ARGS     arguments of mangrove-sim (default: --host 127.0.0.1 --port $SIM_PORT)
#   TEST_BUNDLE  SwiftPM test bundle to run JournaldLiveTests inside the namespace
#                (default BIN_DIR/mangrove-schedulerPackageTests.xctest if present)
#   KEEP_STAGE=1 keep the staging directory (for debugging)
# Prints one PASS/FAIL/SKIP line per check and "systemd harness: N passed, N failed";
# exits non-zero on any failure, 0 with "SKIP: reason" when it cannot run here.
#
# Isolation (see the project notes SYSTEMD-SANDBOX.md): the boot script makes every mount
# private, puts tmpfs on /run, /tmp, /var/tmp, /etc/systemd/system, /var/log/journal,
# /var/lib/private and overlays (upper layer in tmpfs) on /etc, /var, /usr/local and
# /usr/lib/systemd/catalog, so nothing systemd, install.sh or the service writes reaches the host. Host-modifying units
# (systemd-tmpfiles-* and friends) are masked. Teardown SIGKILLs the namespace's
# systemd and the unshare process by PID and removes the staging directory.
set -uo pipefail

readonly REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MODE=daemon
DEB=""
BIN_DIR="${BIN_DIR:-.build/debug}"
SIM_PORT="${SIM_PORT:-18089}"
METRICS_PORT="${METRICS_PORT:-19464}"
SIM_ARGS="${SIM_ARGS:---host 127.0.0.1 --port $SIM_PORT}"
TEST_BUNDLE="${TEST_BUNDLE:-}"
readonly LEDGER_ID=lgr_abc123def456
readonly UNIT=mangrove-scheduler.service
readonly SIM_TOKEN=sim-token

while [[ $# -gt 0 ]]; do
    case "$1" in
        --self-test) MODE=selftest; shift ;;
        --deb) [[ $# -ge 2 ]] || { echo "run.sh: --deb needs a .deb file" >&2; exit 2; }
            MODE=deb; DEB="$2"; shift 2 ;;
        --bin-dir) [[ $# -ge 2 ]] || { echo "run.sh: --bin-dir needs a directory" >&2; exit 2; }
            BIN_DIR="$2"; shift 2 ;;
        --bin-dir=*) BIN_DIR="${1#*=}"; shift ;;
        -h|--help) sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ "$BIN_DIR" == /* ]] || BIN_DIR="$REPO_ROOT/$BIN_DIR"

skip() { echo "SKIP: $*"; exit 0; }
[[ $EUID -eq 0 ]] || skip "needs root (systemd as PID 1 of new namespaces)"
for tool in unshare nsenter setsid timeout; do
    command -v "$tool" >/dev/null || skip "$tool is not installed"
done
[[ -x /lib/systemd/systemd ]] || skip "/lib/systemd/systemd is missing"
grep -qw overlay /proc/filesystems || skip "the kernel has no overlayfs (needed to keep /etc and /var private)"
# python3 reads journalctl's JSON (and is the stand-in daemon of --self-test).
[[ -x /usr/bin/python3 ]] || skip "/usr/bin/python3 is missing (used to read journalctl -o json)"
if [[ $MODE == deb ]]; then
    [[ "$DEB" == /* ]] || DEB="$(pwd)/$DEB"
    [[ -f "$DEB" ]] || { echo "FAIL: no package at $DEB" >&2; exit 1; }
    command -v dpkg-deb >/dev/null || skip "dpkg-deb is not installed"
    [[ -x "$BIN_DIR/mangrove-sim" ]] || {
        echo "FAIL: $BIN_DIR/mangrove-sim not found; build it first (swift build --product mangrove-sim)" >&2
        exit 1
    }
fi
if [[ $MODE == daemon ]]; then
    for exe in mangrove-scheduler mangrove-sim; do
        [[ -x "$BIN_DIR/$exe" ]] || {
            echo "FAIL: $BIN_DIR/$exe not found; build first (swift build) or pass --bin-dir, or use --self-test" >&2
            exit 1
        }
    done
fi

# ---------------------------------------------------------------- bookkeeping
PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
note() { echo "      $*"; }

STAGE=""
UNSHARE_PID=""
SYSTEMD_PID=""

is_our_pid() { [[ "$1" =~ ^[0-9]+$ && "$1" -gt 1 ]] && kill -0 "$1" 2>/dev/null; }
is_running() { # alive and not a zombie
    local state
    [[ "$1" =~ ^[0-9]+$ ]] || return 1
    state="$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)"
    [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

teardown() {
    local status=$?
    trap - EXIT INT TERM HUP PIPE
    if [[ -n "$SYSTEMD_PID" ]] && is_our_pid "$SYSTEMD_PID"; then kill -KILL "$SYSTEMD_PID" 2>/dev/null; fi
    if [[ -n "$UNSHARE_PID" ]] && is_our_pid "$UNSHARE_PID"; then kill -KILL "$UNSHARE_PID" 2>/dev/null; fi
    # Bounded wait until both are gone (or zombies awaiting their reaper): killing a PID
    # namespace's init makes the kernel kill and wait for every process inside it.
    for _ in $(seq 100); do
        is_running "$SYSTEMD_PID" || is_running "$UNSHARE_PID" || break
        sleep 0.1
    done
    if [[ -n "$STAGE" && -d "$STAGE" && "$STAGE" == /var/lib/mangrove-harness.* ]]; then
        if [[ "${KEEP_STAGE:-0}" == 1 ]]; then echo "kept $STAGE"; else rm -rf -- "$STAGE"; fi
    fi
    exit "$status"
}
trap teardown EXIT
trap 'exit 130' INT TERM HUP
trap 'exit 141' PIPE

# Runs a command inside the namespace (bounded: 60 s unless told otherwise via NS_TIMEOUT).
ns() {
    timeout "${NS_TIMEOUT:-60}" nsenter -t "$SYSTEMD_PID" -m -p -n -u -i -- "$@"
}
# Polls `command` every 0.2 s until it succeeds or `seconds` pass.
wait_until() { # wait_until seconds command...
    local deadline=$((SECONDS + $1)); shift
    while ((SECONDS < deadline)); do
        "$@" 2>/dev/null && return 0
        sleep 0.2
    done
    "$@" 2>/dev/null
}
prop() { ns systemctl show -p "$1" --value "$UNIT" 2>/dev/null; }

# ---------------------------------------------------------------- staging
# Under /var/lib: neither shadowed by the namespace's tmpfs mounts nor under /tmp
# (a clone or build directory in the host's /tmp is invisible inside).
STAGE="$(mktemp -d /var/lib/mangrove-harness.XXXXXX)" || { echo "FAIL: cannot create a staging dir" >&2; exit 1; }
chmod 0755 "$STAGE"
mkdir -p "$STAGE/deploy" "$STAGE/config" "$STAGE/bin" "$STAGE/www"
cp "$REPO_ROOT/deploy/mangrove-scheduler.service" "$REPO_ROOT/deploy/install.sh" "$STAGE/deploy/"
[[ -f "$REPO_ROOT/deploy/mangrove-scheduler.catalog" ]] && cp "$REPO_ROOT/deploy/mangrove-scheduler.catalog" "$STAGE/deploy/"
[[ -f "$REPO_ROOT/config/schedule.example.json" ]] && cp "$REPO_ROOT/config/schedule.example.json" "$STAGE/config/"

write_standin() {
    # The stand-in daemon: the same contract as `mangrove-scheduler run --config FILE`
    # (credential, exit 78 on a bad schedule, READY/STATUS/RELOADING/STOPPING/WATCHDOG
    # from the main PID, journald fields, MANGROVE_SCHEDULER_TEST_FAULT=hang-loop),
    # speaking the sd_notify and journald native protocols directly.
    cat > "$STAGE/bin/standin.py" <<'PY'
import json, os, signal, socket, sys, time, urllib.request

def notify(message):
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.connect(address)
        s.sendall(message.encode())

def log(priority, message, **fields):
    lines = ["MESSAGE=" + message, "PRIORITY=%d" % priority, "SYSLOG_IDENTIFIER=mangrove-scheduler"]
    lines += ["%s=%s" % (k.upper(), v) for k, v in fields.items()]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.sendto(("\n".join(lines) + "\n").encode(), "/run/systemd/journal/socket")
    except OSError:
        print("<%d>%s %s" % (priority, message, fields), file=sys.stderr, flush=True)

def load(path):
    try:
        with open(path) as f:
            schedule = json.load(f)
        return schedule["api"]["base_url"], [l["id"] for l in schedule["ledgers"]]
    except Exception as error:
        return None, str(error)

if len(sys.argv) != 4 or sys.argv[1:3] != ["run", "--config"]:
    print("<3>usage: standin run --config FILE", file=sys.stderr)
    sys.exit(64)
config = sys.argv[3]
base_url, ledgers = load(config)
if base_url is None:
    print("<3>%s: invalid schedule: %s" % (config, ledgers), file=sys.stderr, flush=True)
    sys.exit(78)
credentials = os.environ.get("CREDENTIALS_DIRECTORY", "")
try:
    with open(os.path.join(credentials, "mangrove-api-token")) as f:
        token = f.read().strip()
except OSError as error:
    print("<3>no API token credential: %s" % error, file=sys.stderr, flush=True)
    sys.exit(1)
journal_path = os.path.join(os.environ.get("STATE_DIRECTORY", "."), "journal.jsonl")

flags = {"hup": False, "term": False}
signal.signal(signal.SIGHUP, lambda *_: flags.__setitem__("hup", True))
signal.signal(signal.SIGTERM, lambda *_: flags.__setitem__("term", True))

for ledger in ledgers:
    event = "completed"
    try:
        urllib.request.urlopen(base_url + "/", timeout=5).read()
    except Exception as error:
        event = "failed"
    with open(journal_path, "a") as f:
        f.write(json.dumps({"ledger_id": ledger, "event": event}) + "\n")
    log(6 if event == "completed" else 3, "period %s" % event, ledger_id=ledger, mangrove_event=event,
        period_start="2026-01-01T00:00:00.000Z")

def status_line(count):
    return ("1 ledger" if count == 1 else "%d ledgers" % count) + " · idle"

status = status_line(len(ledgers))
log(6, "started", mangrove_event="started")
notify("READY=1\nSTATUS=" + status)
ready_at = time.monotonic()
usec = int(os.environ.get("WATCHDOG_USEC", "0") or 0)
interval = usec / 2e6 if usec and os.environ.get("WATCHDOG_PID", str(os.getpid())) == str(os.getpid()) else None
hang = os.environ.get("MANGROVE_SCHEDULER_TEST_FAULT") == "hang-loop"
last_ping = 0.0
while not flags["term"]:
    if flags["hup"]:
        flags["hup"] = False
        notify("RELOADING=1\nMONOTONIC_USEC=%d" % (time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000))
        new_base, new_ledgers = load(config)
        if new_base is None:
            log(3, "reload rejected: %s" % new_ledgers, mangrove_event="reload_rejected")
        else:
            ledgers = new_ledgers
            status = status_line(len(ledgers))
            log(6, "schedule reloaded", mangrove_event="reload")
        notify("READY=1\nSTATUS=" + status)
    now = time.monotonic()
    if interval and not (hang and now - ready_at > 3) and now - last_ping >= interval:
        notify("WATCHDOG=1")
        last_ping = now
    time.sleep(0.1)
notify("STOPPING=1")
log(6, "stopping", mangrove_event="stopping")
sys.exit(0)
PY
    printf '#!/bin/sh\nexec /usr/bin/python3 %s "$@"\n' "$STAGE/bin/standin.py" > "$STAGE/bin/mangrove-scheduler"
    printf '#!/bin/sh\nexec /usr/bin/python3 -m http.server --bind 127.0.0.1 --directory %s %s\n' \
        "$STAGE/www" "$SIM_PORT" > "$STAGE/bin/mangrove-sim"
    mkdir -p "$STAGE/www/api/v1"
    echo ok > "$STAGE/www/api/v1/index.html"
    chmod 0755 "$STAGE/bin/"*
    SIM_ARGS=""
}

if [[ $MODE == selftest ]]; then
    write_standin
    echo "mode: self-test (stand-in daemon $STAGE/bin/standin.py)"
elif [[ $MODE == deb ]]; then
    cp "$BIN_DIR/mangrove-sim" "$STAGE/bin/"
    cp "$DEB" "$STAGE/package.deb"
    # The packaged unit, for the offline security score below.
    dpkg-deb --fsys-tarfile "$DEB" | tar -xO ./lib/systemd/system/$UNIT > "$STAGE/deploy/$UNIT"
    # An "upgrade" of the same package: only the version differs.
    mkdir -p "$STAGE/upgrade"
    dpkg-deb -R "$DEB" "$STAGE/upgrade/root"
    DEB_VERSION="$(sed -n 's/^Version: //p' "$STAGE/upgrade/root/DEBIAN/control")"
    sed -i "s/^Version: .*/Version: $DEB_VERSION+harness1/" "$STAGE/upgrade/root/DEBIAN/control"
    dpkg-deb --root-owner-group -Zgzip -z1 --build "$STAGE/upgrade/root" "$STAGE/package-upgrade.deb" >/dev/null
    rm -rf "$STAGE/upgrade"
    echo "mode: deb ($(basename "$DEB"), version $DEB_VERSION; simulator from $BIN_DIR)"
else
    cp "$BIN_DIR/mangrove-scheduler" "$BIN_DIR/mangrove-sim" "$STAGE/bin/"
    echo "mode: daemon ($BIN_DIR)"
fi
if [[ -z "$TEST_BUNDLE" && -x "$BIN_DIR/mangrove-schedulerPackageTests.xctest" ]]; then
    TEST_BUNDLE="$BIN_DIR/mangrove-schedulerPackageTests.xctest"
fi
if [[ -n "$TEST_BUNDLE" && -x "$TEST_BUNDLE" ]]; then
    cp "$TEST_BUNDLE" "$STAGE/bin/tests.xctest"
fi
chmod -R a+rX "$STAGE"

# ---------------------------------------------------------------- boot
cat > "$STAGE/boot.sh" <<'BOOT'
#!/bin/sh
# PID 1 of the new PID namespace until it execs systemd. Order matters (SYSTEMD-SANDBOX.md).
set -e
mount --make-rprivate /
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
for layer in etc var usr-local catalog; do mkdir -p /run/harness/$layer/upper /run/harness/$layer/work; done
mount -t overlay overlay -o lowerdir=/etc,upperdir=/run/harness/etc/upper,workdir=/run/harness/etc/work /etc
mount -t overlay overlay -o lowerdir=/var,upperdir=/run/harness/var/upper,workdir=/run/harness/var/work /var
# --deb: dpkg writes /usr/bin, /usr/share and /lib (= /usr/lib): all of /usr gets an overlay.
if [ "${HARNESS_USR_OVERLAY:-0}" = 1 ]; then
    mkdir -p /run/harness/usr/upper /run/harness/usr/work
    mount -t overlay overlay -o lowerdir=/usr,upperdir=/run/harness/usr/upper,workdir=/run/harness/usr/work /usr
fi
mount -t overlay overlay \
    -o lowerdir=/usr/local,upperdir=/run/harness/usr-local/upper,workdir=/run/harness/usr-local/work /usr/local
# install.sh puts the message catalog here, the only directory journalctl reads catalogs from.
mkdir -p /usr/lib/systemd/catalog
mount -t overlay overlay -o lowerdir=/usr/lib/systemd/catalog,upperdir=/run/harness/catalog/upper,workdir=/run/harness/catalog/work /usr/lib/systemd/catalog
mount -t tmpfs -o mode=0755 tmpfs /etc/systemd/system
mkdir -p /var/log/journal /var/lib/private /var/tmp
mount -t tmpfs -o mode=2755 tmpfs /var/log/journal
mount -t tmpfs -o mode=0700 tmpfs /var/lib/private
chmod 0700 /var/lib/private
mount -t tmpfs -o mode=1777 tmpfs /var/tmp
mount --make-rshared /
mkdir -p /run/systemd/system
ip link set lo up 2>/dev/null || true
cd /etc/systemd/system
for unit in systemd-tmpfiles-setup.service systemd-tmpfiles-setup-dev.service \
    systemd-tmpfiles-clean.service systemd-tmpfiles-clean.timer systemd-sysctl.service \
    systemd-sysusers.service systemd-remount-fs.service systemd-modules-load.service \
    systemd-random-seed.service systemd-timesyncd.service systemd-firstboot.service \
    systemd-machine-id-commit.service systemd-update-utmp.service systemd-update-utmp-runlevel.service \
    systemd-binfmt.service systemd-journal-flush.service e2scrub_reap.service \
    sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount sys-fs-fuse-connections.mount \
    sys-kernel-security.mount dev-hugepages.mount dev-mqueue.mount proc-sys-fs-binfmt_misc.mount \
    proc-sys-fs-binfmt_misc.automount tmp.mount systemd-hwdb-update.service systemd-udevd.service \
    systemd-udev-trigger.service systemd-udevd-control.socket systemd-udevd-kernel.socket \
    systemd-networkd.service systemd-resolved.service systemd-logind.service getty.target \
    systemd-pstore.service systemd-boot-update.service ldconfig.service apt-daily.timer \
    apt-daily-upgrade.timer man-db.timer logrotate.timer fstrim.timer cron.service; do
    ln -sf /dev/null "$unit"
done
cat > mangrove-harness.target <<'TARGET'
[Unit]
Description=mangrove-scheduler systemd harness
Requires=systemd-journald.socket
After=systemd-journald.socket
AllowIsolate=yes
TARGET
exec /lib/systemd/systemd --system --unit=mangrove-harness.target --show-status=no
BOOT
chmod 0755 "$STAGE/boot.sh"

HARNESS_USR_OVERLAY=0; [[ $MODE == deb ]] && HARNESS_USR_OVERLAY=1
HARNESS_USR_OVERLAY=$HARNESS_USR_OVERLAY setsid unshare --pid --fork --mount --net --uts --ipc --mount-proc "$STAGE/boot.sh" \
    </dev/null >"$STAGE/boot.log" 2>&1 &
UNSHARE_PID=$!
disown "$UNSHARE_PID"   # no "Killed" job message at teardown; teardown polls the PID instead

find_systemd() {
    local child
    child="$(cat "/proc/$UNSHARE_PID/task/$UNSHARE_PID/children" 2>/dev/null)"
    child="${child%% *}"
    [[ -n "$child" && "$(cat "/proc/$child/comm" 2>/dev/null)" == systemd ]] || return 1
    SYSTEMD_PID="$child"
}
if ! wait_until 20 find_systemd; then
    fail "boot: systemd did not start in the namespace"
    note "$(tail -n 20 "$STAGE/boot.log")"
    echo "systemd harness: $PASSED passed, $FAILED failed"
    exit 1
fi
system_up() {
    local state
    state="$(NS_TIMEOUT=5 ns systemctl is-system-running 2>/dev/null)"
    [[ "$state" == running || "$state" == degraded ]]
}
if wait_until 30 system_up; then
    pass "boot: systemd $(ns systemctl --version | head -n 1 | cut -d' ' -f2) is PID 1 of the namespace (host pid $SYSTEMD_PID, $(NS_TIMEOUT=5 ns systemctl is-system-running))"
else
    fail "boot: systemctl is-system-running never answered running/degraded"
    note "$(tail -n 20 "$STAGE/boot.log")"
    echo "systemd harness: $PASSED passed, $FAILED failed"
    exit 1
fi

# ---------------------------------------------------------------- simulator
# shellcheck disable=SC2086  # SIM_ARGS is a list of arguments
ns systemd-run --quiet --unit=sim -p DefaultDependencies=no "$STAGE/bin/mangrove-sim" $SIM_ARGS
sim_up() { ns /bin/bash -c "exec 3<>/dev/tcp/127.0.0.1/$SIM_PORT"; }
if wait_until 30 sim_up; then
    pass "simulator: $(basename "$STAGE")/bin/mangrove-sim listens on 127.0.0.1:$SIM_PORT inside the namespace"
else
    fail "simulator: nothing listens on 127.0.0.1:$SIM_PORT"
    note "$(ns journalctl -u sim --no-pager -n 20 2>&1)"
fi

# ---------------------------------------------------------------- install
schedule_json() { # schedule_json BASE_URL
    local first
    first="$(date -u -d '3 days ago' +%F)"
    cat <<JSON
{
  "api": { "base_url": "$1" },
  "journal_path": "/var/lib/mangrove-scheduler/journal.jsonl",
  "metrics": { "listen": "127.0.0.1:$METRICS_PORT" },
  "ledgers": [
    { "id": "$LEDGER_ID", "cadence": "daily", "time_zone": "UTC",
      "first_period_start": "$first", "settle_delay": "PT0S" }
  ]
}
JSON
}
UNIT_FILE=/etc/systemd/system/$UNIT
if [[ $MODE == deb ]]; then
    UNIT_FILE=/lib/systemd/system/$UNIT
    # A server, not a container image: a policy-rc.d that forbids starting services (as on
    # this build machine, exit 101) would make deb-systemd-invoke skip every start and stop.
    if ns test -e /usr/sbin/policy-rc.d; then
        note "removed /usr/sbin/policy-rc.d inside the namespace ($(ns sh -c '/usr/sbin/policy-rc.d x start >/dev/null 2>&1; echo exit $?'))"
        ns rm -f /usr/sbin/policy-rc.d
    fi
    # A fresh install, before any token exists: enabled, not started, and it says how to go on.
    deb_out="$(NS_TIMEOUT=120 ns env DEBIAN_FRONTEND=noninteractive dpkg -i "$STAGE/package.deb" 2>&1)"
    deb_rc=$?
    if [[ $deb_rc -eq 0 ]] && ns test -x /usr/bin/mangrove-scheduler && ns test -f "$UNIT_FILE" \
        && [[ "$(ns dpkg-query -W -f '${Status}' mangrove-scheduler)" == "install ok installed" ]]; then
        pass "deb: dpkg -i $(basename "$DEB") installed /usr/bin/mangrove-scheduler and $UNIT_FILE"
    else
        fail "deb: dpkg -i rc=$deb_rc"
        note "$deb_out"
    fi
    if [[ "$(ns systemctl is-enabled "$UNIT" 2>&1)" == enabled && "$(ns systemctl is-active "$UNIT" 2>&1)" == inactive ]] \
        && grep -q "not started: no API token" <<<"$deb_out" && grep -q "install -m 0600 /dev/stdin" <<<"$deb_out"; then
        pass "deb: without a token the service is enabled, not started, and postinst says how to add the token"
    else
        fail "deb: is-enabled=$(ns systemctl is-enabled "$UNIT" 2>&1) is-active=$(ns systemctl is-active "$UNIT" 2>&1)"
        note "$deb_out"
    fi
    if ns cmp -s "$STAGE/config/schedule.example.json" /etc/mangrove-scheduler/schedule.json \
        && ns dpkg-query --showformat='${Conffiles}' --show mangrove-scheduler | grep -q /etc/mangrove-scheduler/schedule.json; then
        pass "deb: /etc/mangrove-scheduler/schedule.json is the example schedule, a conffile"
    else
        fail "deb: schedule.json missing, different from the example, or not a conffile"
    fi
    packaged_version="$(ns /usr/bin/mangrove-scheduler --version 2>&1)"
    if [[ "$packaged_version" == "$DEB_VERSION" ]]; then
        pass "deb: /usr/bin/mangrove-scheduler --version prints $packaged_version"
    else
        fail "deb: --version printed '$packaged_version', the package is $DEB_VERSION"
    fi
    # The operator's steps: the schedule (here: the simulator) and the token.
    schedule_json "http://127.0.0.1:$SIM_PORT/api/v1" | ns sh -c 'cat > /etc/mangrove-scheduler/schedule.json'
    printf '%s\n' "$SIM_TOKEN" | ns sh -c 'umask 077; cat > /etc/mangrove-scheduler/api-token'
else
    # Written first, so install.sh must keep them (it never overwrites a schedule or token).
    ns mkdir -p /etc/mangrove-scheduler
    schedule_json "http://127.0.0.1:$SIM_PORT/api/v1" | ns sh -c 'cat > /etc/mangrove-scheduler/schedule.json'
    printf '%s\n' "$SIM_TOKEN" | ns sh -c 'umask 077; cat > /etc/mangrove-scheduler/api-token'
    install_out="$(ns "$STAGE/deploy/install.sh" --binary "$STAGE/bin/mangrove-scheduler" 2>&1)"
    install_ok() {
        ns test -x /usr/local/bin/mangrove-scheduler \
            && ns test -f /etc/systemd/system/$UNIT \
            && grep -q "kept existing schedule" <<<"$install_out" \
            && grep -q "kept existing token" <<<"$install_out" \
            && ns grep -q "127.0.0.1:$SIM_PORT" /etc/mangrove-scheduler/schedule.json
    }
    if install_ok; then
        pass "install: deploy/install.sh installed binary and unit, kept the existing schedule and token"
    else
        fail "install: deploy/install.sh"
        note "$install_out"
    fi
fi

completed_id=85e0552ba94a48b2bd1a6a4fc4fe890f
# With --deb the package's scripts must have compiled the catalog: the harness does not.
if ns test -f /usr/lib/systemd/catalog/mangrove-scheduler.catalog && { [[ $MODE == deb ]] || ns journalctl --update-catalog; } \
    && ns journalctl --dump-catalog "$completed_id" 2>/dev/null | grep -q '^Subject: Batches generated'; then
    pass "catalog: installed; journalctl --dump-catalog $completed_id explains MESSAGE_IDs (journalctl -x)"
else
    fail "catalog: /usr/lib/systemd/catalog/mangrove-scheduler.catalog missing or not accepted by journalctl"
fi

verify_out="$(ns systemd-analyze verify "$UNIT_FILE" 2>&1)"
if [[ $? -eq 0 ]]; then
    pass "systemd-analyze verify $UNIT"
else
    fail "systemd-analyze verify $UNIT"
    note "$verify_out"
fi

# Harness-only tuning; the deploy unit itself is used unchanged.
DROPIN_DIR=/etc/systemd/system/$UNIT.d
ns mkdir -p "$DROPIN_DIR"
printf '[Service]\nRestartSec=1s\n' | ns sh -c "cat > $DROPIN_DIR/10-harness.conf"
ns systemctl daemon-reload

# ---------------------------------------------------------------- start, status, journal
start_out="$(NS_TIMEOUT=90 ns systemctl start "$UNIT" 2>&1)"
start_rc=$?
running() { [[ "$(prop ActiveState)" == active && "$(prop SubState)" == running ]]; }
if [[ $start_rc -eq 0 ]] && running; then
    pass "start: systemctl start returned after READY=1; unit is active (running), MainPID $(prop MainPID)"
else
    fail "start: systemctl start rc=$start_rc, ActiveState=$(prop ActiveState) SubState=$(prop SubState)"
    note "$start_out"
    note "$(ns journalctl -u "$UNIT" --no-pager -n 30 2>&1)"
fi

status_text="$(prop StatusText)"
status_out="$(ns systemctl status --no-pager "$UNIT" 2>&1)"
if [[ -n "$status_text" ]] && grep -qF "Status: \"$status_text\"" <<<"$status_out"; then
    pass "status: systemctl status shows STATUS=\"$status_text\""
else
    fail "status: no STATUS= text in systemctl status (StatusText='$status_text')"
    note "$status_out"
fi

journal_lines() { ns journalctl --no-pager -o json -u "$UNIT" "LEDGER_ID=$LEDGER_ID" 2>/dev/null; }
has_event_lines() { journal_lines | grep -q '"MANGROVE_EVENT"'; }
if wait_until 30 has_event_lines; then
    events="$(journal_lines | /usr/bin/python3 -c '
import json, sys
seen = []
for line in sys.stdin:
    e = json.loads(line)
    seen.append("%s(p%s%s)" % (e.get("MANGROVE_EVENT"), e.get("PRIORITY"), ",id" if e.get("MESSAGE_ID") else ""))
print(" ".join(seen))')"
    pass "journal: journalctl -u $UNIT LEDGER_ID=$LEDGER_ID -o json has MANGROVE_EVENT fields: $events"
else
    fail "journal: no entries with LEDGER_ID=$LEDGER_ID and MANGROVE_EVENT"
    note "$(ns journalctl --no-pager -u "$UNIT" -n 30 2>&1)"
fi
# The real daemon logs through JournaldLogHandler: every known event carries its MESSAGE_ID
# (the table is read from Sources/Systemd/MangroveMessageID.swift, so the two cannot drift).
if [[ $MODE == daemon ]]; then
    ids_source="$REPO_ROOT/Sources/Systemd/MangroveMessageID.swift"
    id_problems="$(ns journalctl --no-pager -o json -u "$UNIT" 2>/dev/null | /usr/bin/python3 -c '
import json, re, sys
table = dict(re.findall(r"\"(\w+)\": \"([0-9a-f]{32})\"", open(sys.argv[1]).read()))
problems, checked = [], 0
for line in sys.stdin:
    e = json.loads(line)
    event = e.get("MANGROVE_EVENT")
    if event in table:
        checked += 1
        if e.get("MESSAGE_ID") != table[event]:
            problems.append("%s has MESSAGE_ID=%s" % (event, e.get("MESSAGE_ID")))
        if "CODE_FILE" not in e or "PRIORITY" not in e:
            problems.append("%s lacks CODE_FILE/PRIORITY" % event)
print("checked %d" % checked if not problems and checked else "; ".join(problems) or "no known events")
sys.exit(0 if not problems and checked else 1)' "$ids_source")"
    if [[ $? -eq 0 ]]; then
        pass "journal: every known MANGROVE_EVENT carries its MESSAGE_ID, PRIORITY, CODE_FILE ($id_problems entries)"
    else
        fail "journal: MESSAGE_ID/PRIORITY fields: $id_problems"
    fi
fi
# End to end under systemd: a period fired at the simulator completes (sim tasks take ~6 s).
completed_logged() {
    ns journalctl --no-pager -o json -u "$UNIT" "LEDGER_ID=$LEDGER_ID" MANGROVE_EVENT=completed | grep -q .
}
if wait_until 60 completed_logged; then
    pass "journal: a period of $LEDGER_ID reached MANGROVE_EVENT=completed against the simulator"
else
    fail "journal: no MANGROVE_EVENT=completed for $LEDGER_ID within 60 s"
    note "$(ns journalctl --no-pager -u "$UNIT" -n 20 2>&1)"
fi
# The hardened sandbox (RestrictAddressFamilies=, DynamicUser=, ProtectSystem=) still lets
# the daemon serve /metrics on loopback, and the completed generation is counted there.
scrape() { # the response of GET /metrics inside the namespace, over bash's /dev/tcp
    ns /bin/bash -c "exec 3<>/dev/tcp/127.0.0.1/$METRICS_PORT && printf 'GET /metrics HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\nConnection: close\\r\\n\\r\\n' >&3 && timeout 5 cat <&3"
}
metrics_counted() {
    local text  # captured first: with pipefail, grep -q closing the pipe early would fail the check
    text="$(scrape 2>/dev/null)"  # (cat ends by its timeout if the server keeps the connection)
    grep -Eq "^mangrove_scheduler_generations_total\\{ledger_id=\"$LEDGER_ID\",outcome=\"completed\"\\} [1-9]" <<<"$text"
}
if wait_until 30 metrics_counted; then
    pass "metrics: the unit serves /metrics on 127.0.0.1:$METRICS_PORT under its sandbox; generations_total counts the completed period"
else
    fail "metrics: no mangrove_scheduler_generations_total{outcome=completed} > 0 at 127.0.0.1:$METRICS_PORT/metrics"
    note "$(scrape 2>&1 | head -n 20)"
fi
if ns test -s /var/lib/mangrove-scheduler/journal.jsonl; then
    pass "state: /var/lib/mangrove-scheduler/journal.jsonl written (StateDirectory=, DynamicUser=)"
else
    fail "state: /var/lib/mangrove-scheduler/journal.jsonl missing or empty"
fi
if ns journalctl --no-pager -u "$UNIT" -o verbose 2>/dev/null | grep -qF "$SIM_TOKEN"; then
    fail "token: the API token appears in the journal"
else
    pass "token: the API token never appears in the journal"
fi

# ---------------------------------------------------------------- reload
pid_before="$(prop MainPID)"
reload_since="$(ns date '+%Y-%m-%d %H:%M:%S')"
reload_out="$(ns systemctl reload "$UNIT" 2>&1)"
reload_rc=$?
reload_logged() {
    ns journalctl --no-pager -o json -u "$UNIT" --since "$reload_since" MANGROVE_EVENT=reload | grep -q .
}
if [[ $reload_rc -eq 0 ]] && wait_until 20 reload_logged && running && [[ "$(prop MainPID)" == "$pid_before" ]]; then
    pass "reload: systemctl reload ok, MANGROVE_EVENT=reload logged, still active with MainPID $pid_before"
else
    fail "reload: rc=$reload_rc ActiveState=$(prop ActiveState) MainPID $pid_before -> $(prop MainPID)"
    note "$reload_out"
    note "$(ns journalctl --no-pager -u "$UNIT" -n 20 2>&1)"
fi

# ---------------------------------------------------------------- stop
stop_out="$(ns systemctl stop "$UNIT" 2>&1)"
stop_rc=$?
result="$(prop Result)"; exit_status="$(prop ExecMainStatus)"; active="$(prop ActiveState)"
if [[ $stop_rc -eq 0 && "$result" == success && "$exit_status" == 0 && "$active" == inactive ]]; then
    pass "stop: systemctl stop clean (Result=success, exit status 0, inactive)"
else
    fail "stop: rc=$stop_rc Result=$result ExecMainStatus=$exit_status ActiveState=$active"
    note "$stop_out"
    note "$(ns journalctl --no-pager -u "$UNIT" -n 20 2>&1)"
fi

# ---------------------------------------------------------------- bad schedule: exit 78, no restart loop
ns cp /etc/mangrove-scheduler/schedule.json /etc/mangrove-scheduler/schedule.json.good
echo '{ "api": ' | ns sh -c 'cat > /etc/mangrove-scheduler/schedule.json'
ns systemctl reset-failed "$UNIT" 2>/dev/null
NS_TIMEOUT=60 ns systemctl start "$UNIT" >/dev/null 2>&1
failed_for_good() { [[ "$(prop ActiveState)" == failed ]]; }
if wait_until 20 failed_for_good && [[ "$(prop ExecMainStatus)" == 78 && "$(prop NRestarts)" == 0 ]]; then
    pass "bad schedule: exit 78 (EX_CONFIG), failed, not restarted (RestartPreventExitStatus=78)"
else
    fail "bad schedule: ActiveState=$(prop ActiveState) ExecMainStatus=$(prop ExecMainStatus) NRestarts=$(prop NRestarts)"
fi
ns mv /etc/mangrove-scheduler/schedule.json.good /etc/mangrove-scheduler/schedule.json
ns systemctl reset-failed "$UNIT" 2>/dev/null

# ---------------------------------------------------------------- watchdog
printf '[Service]\nWatchdogSec=3s\nEnvironment=MANGROVE_SCHEDULER_TEST_FAULT=hang-loop\n' \
    | ns sh -c "cat > $DROPIN_DIR/20-watchdog.conf"
ns systemctl daemon-reload
NS_TIMEOUT=90 ns systemctl start "$UNIT" >/dev/null 2>&1
watchdog_pid="$(prop MainPID)"
restarted() { [[ "$(prop NRestarts)" -ge 1 ]]; }
if wait_until 40 restarted; then
    wd_log="$(ns journalctl --no-pager -u "$UNIT" -o cat 2>/dev/null | grep -i 'watchdog timeout' | tail -n 1)"
    if [[ -n "$wd_log" ]]; then
        pass "watchdog: pings stopped (hang-loop), systemd restarted it: NRestarts=$(prop NRestarts) Result=$(prop Result), \"$wd_log\""
    else
        fail "watchdog: restarted (NRestarts=$(prop NRestarts)) but no 'Watchdog timeout' in the journal"
    fi
else
    fail "watchdog: no restart within 40 s (MainPID was $watchdog_pid, NRestarts=$(prop NRestarts), Result=$(prop Result))"
    note "$(ns journalctl --no-pager -u "$UNIT" -n 20 2>&1)"
fi
ns systemctl stop "$UNIT" >/dev/null 2>&1
ns rm -f "$DROPIN_DIR/20-watchdog.conf"
ns systemctl daemon-reload

# ---------------------------------------------------------------- deb: upgrade, remove, purge
if [[ $MODE == deb ]]; then
    journal_file=/var/lib/mangrove-scheduler/journal.jsonl
    # No period may have been POSTed twice: two "fired" lines with attempt 1 for one period.
    refired() {
        ns cat "$journal_file" | /usr/bin/python3 -c '
import json, sys, collections
fired = collections.Counter()
for line in sys.stdin:
    e = json.loads(line)
    if e.get("event") == "fired":
        fired[(e["ledger_id"], e["period_start"], e.get("attempt"))] += 1
twice = [k for k, n in fired.items() if n > 1]
print("%d periods fired, %d twice" % (len(fired), len(twice)))
sys.exit(1 if twice else 0)'
    }
    NS_TIMEOUT=90 ns systemctl start "$UNIT" >/dev/null 2>&1
    pid_before="$(prop MainPID)"
    up_out="$(NS_TIMEOUT=120 ns env DEBIAN_FRONTEND=noninteractive dpkg -i --force-confold "$STAGE/package-upgrade.deb" 2>&1)"
    up_rc=$?
    pid_after="$(prop MainPID)"
    up_version="$(ns dpkg-query -W -f '${Version}' mangrove-scheduler)"
    if [[ $up_rc -eq 0 && "$up_version" == "$DEB_VERSION+harness1" ]] && running \
        && [[ "$pid_before" != 0 && "$pid_after" != 0 && "$pid_after" != "$pid_before" ]] \
        && ns grep -q "127.0.0.1:$SIM_PORT" /etc/mangrove-scheduler/schedule.json; then
        pass "deb: upgrade $DEB_VERSION -> $up_version restarted the running service (MainPID $pid_before -> $pid_after), kept the edited schedule (conffile)"
    else
        fail "deb: upgrade rc=$up_rc version=$up_version MainPID $pid_before -> $pid_after ActiveState=$(prop ActiveState)"
        note "$up_out"
    fi
    if refired_out="$(refired)"; then
        pass "deb: after the restart no period was fired twice ($refired_out)"
    else
        fail "deb: a period was fired twice across the upgrade ($refired_out)"
    fi

    rm_out="$(NS_TIMEOUT=120 ns dpkg -r mangrove-scheduler 2>&1)"
    rm_rc=$?
    if [[ $rm_rc -eq 0 && "$(prop ActiveState)" == inactive ]] && ! ns test -e /usr/bin/mangrove-scheduler \
        && ns test -s "$journal_file" && ns test -f /etc/mangrove-scheduler/api-token \
        && ns test -f /etc/mangrove-scheduler/schedule.json; then
        pass "deb: dpkg -r stopped the service and removed the binary; journal, schedule and token kept"
    else
        fail "deb: dpkg -r rc=$rm_rc ActiveState=$(prop ActiveState)"
        note "$rm_out"
    fi

    purge_out="$(NS_TIMEOUT=120 ns dpkg -P mangrove-scheduler 2>&1)"
    purge_rc=$?
    if [[ $purge_rc -eq 0 ]] && ! ns test -e /etc/mangrove-scheduler/schedule.json \
        && ! ns test -e /etc/mangrove-scheduler/api-token && ns test -s /var/lib/private/mangrove-scheduler/journal.jsonl \
        && grep -q "kept the journal in /var/lib/mangrove-scheduler" <<<"$purge_out"; then
        pass "deb: dpkg -P removed schedule and token, kept the journal and said how to delete it"
    else
        fail "deb: dpkg -P rc=$purge_rc"
        note "$purge_out"
    fi

    NS_TIMEOUT=120 ns env DEBIAN_FRONTEND=noninteractive dpkg -i "$STAGE/package.deb" >/dev/null 2>&1
    purge2_out="$(NS_TIMEOUT=120 ns env MANGROVE_SCHEDULER_PURGE_JOURNAL=yes dpkg -P mangrove-scheduler 2>&1)"
    if [[ $? -eq 0 ]] && ! ns test -e /var/lib/private/mangrove-scheduler && ! ns test -e /var/lib/mangrove-scheduler; then
        pass "deb: reinstall, then purge with MANGROVE_SCHEDULER_PURGE_JOURNAL=yes removed the journal"
    else
        fail "deb: purge with MANGROVE_SCHEDULER_PURGE_JOURNAL=yes left the journal"
        note "$purge2_out"
    fi
fi

# ---------------------------------------------------------------- JournaldLogHandler against the real journald
if [[ -x "$STAGE/bin/tests.xctest" ]]; then
    live_out="$(NS_TIMEOUT=120 ns "$STAGE/bin/tests.xctest" --testing-library swift-testing --filter JournaldLiveTests 2>&1)"
    live_rc=$?
    if [[ $live_rc -eq 0 ]] && grep -q "entryIsReadableWithItsFields() passed" <<<"$live_out"; then
        pass "journald: SystemdTests.JournaldLiveTests passed against the namespace's journald"
    else
        fail "journald: SystemdTests.JournaldLiveTests (rc=$live_rc)"
        note "$(tail -n 20 <<<"$live_out")"
    fi
else
    echo "SKIP: journald: no SwiftPM test bundle (set TEST_BUNDLE or build tests) to run JournaldLiveTests inside"
fi

# ---------------------------------------------------------------- hardening score
security_out="$(systemd-analyze security --offline=yes "$STAGE/deploy/$UNIT" 2>&1)"
score="$(grep -o 'Overall exposure level for [^:]*: [0-9.]*' <<<"$security_out" | awk '{print $NF}')"
grep -v '✓' <<<"$security_out" | sed 's/^/      /'
if [[ -n "$score" ]] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
    pass "security: systemd-analyze security --offline=yes exposure $score <= 2.0"
else
    fail "security: exposure '${score:-unknown}' (must be <= 2.0)"
fi

echo "systemd harness: $PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
