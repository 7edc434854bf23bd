#!/usr/bin/env python3
"""Idle wake-ups: the real daemon with nothing due (one monthly ledger whose first period
has not closed), its context switches (all threads, voluntary + involuntary, from
/proc/PID/task/*/status) over a window, with and without WATCHDOG_USEC. Beside it, the
same count for `sleep`. Only 127.0.0.1 is named (the API is never called).

    Benchmarks/idle.py --bin .build-release/release [--seconds 120] [--watchdog-usec 20000000]
"""
import argparse, datetime, json, os, shutil, signal, socket, subprocess, tempfile, time


def switches(pid):
    total, threads = 0, 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                threads += 1
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total, threads


def measure(cmd, env, seconds, notify=None):
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pings = 0
    try:
        if notify:
            notify.settimeout(60)
            while b"READY=1" not in notify.recv(4096):
                pass
        time.sleep(3)
        s0, _ = switches(p.pid)
        if notify:
            notify.settimeout(0.5)
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                try:
                    if b"WATCHDOG=1" in notify.recv(4096):
                        pings += 1
                except socket.timeout:
                    pass
        else:
            time.sleep(seconds)
        s1, threads = switches(p.pid)
        return s1 - s0, threads, pings
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--watchdog-usec", type=int, default=0)
    a = ap.parse_args()
    folder = tempfile.mkdtemp(prefix="mangrove-idle-")
    try:
        month = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-01")
        with open(f"{folder}/schedule.json", "w") as f:
            json.dump({"api": {"base_url": "http://127.0.0.1:9/api/v1"}, "journal_path": "journal.jsonl",
                       "ledgers": [{"id": "lgr_idle00000001", "cadence": "monthly", "first_period_start": month}]}, f)
        notify_path = f"{folder}/notify.sock"
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind(notify_path)
        env = {"PATH": "/usr/bin:/bin", "MANGROVE_API_TOKEN": "idle-token", "NOTIFY_SOCKET": notify_path}
        if a.watchdog_usec:
            env["WATCHDOG_USEC"] = str(a.watchdog_usec)
        n, threads, pings = measure([f"{a.bin}/mangrove-scheduler", "run", "--config", f"{folder}/schedule.json",
                                     "--log-level", "error"], env, a.seconds, notify=s)
        wd = f"WATCHDOG_USEC={a.watchdog_usec}" if a.watchdog_usec else "no watchdog"
        print(f"idle daemon ({wd}): {n} context switches in {a.seconds:g} s, {threads} threads, {pings} WATCHDOG=1")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
