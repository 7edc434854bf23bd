#!/usr/bin/env python3
"""Burst benchmark: 10,000 periods due at once (1,000 daily ledgers x 10 days), the real
daemon against mangrove-sim on 127.0.0.1, max_in_flight 16, 50 requests/s.

Measures over a fixed window after READY: the daemon's CPU time (utime + stime from
/proc/PID/stat) as a share of wall time, and per API request the simulator served in the
window (its request log); the simulator's own CPU beside it. Bounded: every process it
starts is stopped at the end, only 127.0.0.1 is contacted.

    Benchmarks/burst.py --bin .build-release/release [--seconds 90] [--ledgers 1000]
        [--days 10] [--rate 50] [--in-flight 16] [--task-seconds 5]
"""
import argparse, datetime, json, os, shutil, signal, socket, subprocess, sys, tempfile, threading, time, urllib.request

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def ctx_switches(pid):
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def admin(base, method, path):
    req = urllib.request.Request(base.replace("/api/v1", "") + "/_sim" + path, method=method)
    with urllib.request.urlopen(req, timeout=30) as r:
        body = r.read()
    return json.loads(body) if body else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--seconds", type=float, default=90)
    ap.add_argument("--ledgers", type=int, default=1000)
    ap.add_argument("--days", type=int, default=10)
    ap.add_argument("--rate", type=float, default=50)
    ap.add_argument("--in-flight", type=int, default=16)
    ap.add_argument("--task-seconds", type=float, default=5)
    ap.add_argument("--perf", help="also record the daemon with `perf record -g` into this file")
    a = ap.parse_args()

    folder = tempfile.mkdtemp(prefix="mangrove-burst-")
    procs = []
    try:
        ids = [f"lgr_burst{i:07d}" for i in range(a.ledgers)]
        sim_config = {
            "token": "sim-token", "seed": 7, "task_pending_seconds": 0, "task_duration_seconds": a.task_seconds,
            "ledgers": [{"id": i, "name": i, "cadence": "daily", "latest_model": {"id": "mdl_1"}} for i in ids],
        }
        with open(f"{folder}/sim.json", "w") as f:
            json.dump(sim_config, f)
        sim = subprocess.Popen([f"{a.bin}/mangrove-sim", "--config", f"{folder}/sim.json", "--log-level", "error"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        procs.append(sim)
        line = sim.stdout.readline().strip()
        base = line.rsplit(" ", 1)[1]
        today = datetime.datetime.now(datetime.timezone.utc).date()
        first = (today - datetime.timedelta(days=a.days)).isoformat()
        schedule = {
            "api": {"base_url": base}, "journal_path": "journal.jsonl",
            "limits": {"max_in_flight": a.in_flight, "requests_per_second": a.rate},
            "ledgers": [{"id": i, "cadence": "daily", "first_period_start": first} for i in ids],
        }
        with open(f"{folder}/schedule.json", "w") as f:
            json.dump(schedule, f)

        notify = f"{folder}/notify.sock"
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind(notify)
        s.settimeout(60)
        env = {"PATH": "/usr/bin:/bin", "MANGROVE_API_TOKEN": "sim-token", "NOTIFY_SOCKET": notify}
        daemon = subprocess.Popen([f"{a.bin}/mangrove-scheduler", "run", "--config", f"{folder}/schedule.json",
                                   "--log-level", "error"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(daemon)
        while b"READY=1" not in s.recv(4096):
            pass
        # Drain the notify socket as systemd does: a full datagram queue blocks sd_notify.
        s.settimeout(None)
        threading.Thread(target=lambda: [s.recv(4096) for _ in iter(int, 1)], daemon=True).start()
        admin(base, "DELETE", "/requests")
        t0, c0, s0, x0 = time.monotonic(), cpu_seconds(daemon.pid), cpu_seconds(sim.pid), ctx_switches(daemon.pid)
        if a.perf:
            subprocess.run(["perf", "record", "-F", "499", "-g", "-p", str(daemon.pid), "-o", a.perf, "--", "sleep", str(a.seconds)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            time.sleep(a.seconds)
        t1, c1, s1, x1 = time.monotonic(), cpu_seconds(daemon.pid), cpu_seconds(sim.pid), ctx_switches(daemon.pid)
        requests = len(admin(base, "GET", "/requests")["data"])
        with open(f"{folder}/journal.jsonl") as f:
            lines = f.read().splitlines()
        completed = sum(1 for l in lines if '"event":"completed"' in l)
        wall, cpu, simcpu = t1 - t0, c1 - c0, s1 - s0
        print(f"burst: {a.ledgers} daily ledgers x {a.days} days due, max_in_flight {a.in_flight}, "
              f"{a.rate:g} req/s, {a.task_seconds:g} s tasks; window {wall:.0f} s after READY")
        print(f"  requests served in the window  {requests} ({requests / wall:.1f}/s); completed so far {completed}")
        print(f"  daemon CPU                     {cpu:.2f} s = {100 * cpu / wall:.2f} % of wall, "
              f"{1000 * cpu / max(requests, 1):.2f} ms per request; {x1 - x0} context switches")
        print(f"  simulator CPU                  {simcpu:.2f} s = {100 * simcpu / wall:.2f} % of wall, "
              f"{1000 * simcpu / max(requests, 1):.2f} ms per request")
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
