#!/usr/bin/env python3
"""Lost-timer repro: the real daemon and mangrove-sim on 127.0.0.1, one hourly ledger whose only
period falls due 80 s after start (settle_delay), no watchdog. Prints the API requests the
simulator saw after 110 s: a listing, a POST and a poll when the daemon woke for the due
period; none when its timer was lost after the first capped 60 s sleep (before a80a0cb).

    Benchmarks/lostwake.py BIN_DIR
"""
import datetime, json, os, signal, socket, subprocess, sys, tempfile, threading, time, urllib.request
b = sys.argv[1]; folder = tempfile.mkdtemp()
now = datetime.datetime.now(datetime.timezone.utc)
hour = now.replace(minute=0, second=0, microsecond=0)
first = hour - datetime.timedelta(hours=1)           # period [first, hour) ends at `hour`
settle = int((now - hour).total_seconds()) + 80        # due 80 s from now
json.dump({"token": "sim-token", "task_pending_seconds": 0, "task_duration_seconds": 1,
           "ledgers": [{"id": "lgr_lostwake0001", "name": "x", "cadence": "hourly", "latest_model": {"id": "m"}}]}, open(folder + "/sim.json", "w"))
sim = subprocess.Popen([b + "/mangrove-sim", "--config", folder + "/sim.json", "--log-level", "error"], stdout=subprocess.PIPE, text=True)
base = sim.stdout.readline().strip().rsplit(" ", 1)[1]
json.dump({"api": {"base_url": base}, "journal_path": "journal.jsonl",
           "ledgers": [{"id": "lgr_lostwake0001", "cadence": "hourly", "first_period_start": first.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "settle_delay": f"PT{settle}S"}]}, open(folder + "/s.json", "w"))
d = subprocess.Popen([b + "/mangrove-scheduler", "run", "--config", folder + "/s.json", "--log-level", "error"],
                     env={"PATH": "/usr/bin", "MANGROVE_API_TOKEN": "sim-token"}, stderr=subprocess.DEVNULL)
time.sleep(110)
log = json.loads(urllib.request.urlopen(base.replace("/api/v1", "") + "/_sim/requests").read())["data"]
print(b, "requests after the period fell due (80 s after start):", [(r["time"][11:19], r["endpoint"]) for r in log])
d.send_signal(signal.SIGTERM); d.wait(); sim.send_signal(signal.SIGTERM); sim.wait()
