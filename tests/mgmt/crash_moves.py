#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Crash test of mrfabricd: SIGKILL during a stream of moves.

Runs `mrfabricd --sim CHASSIS --speed 0` (virtual time as fast as
possible) on a file database in a temporary directory, binds every VF of
the chassis to some zone, then, round after round: streams
MrFabric.MoveEndpoint requests over loopback HTTP (at most one move per VF
at a time, each followed through its Task) and SIGKILLs the daemon at a
random moment (a timer thread, so the kill also lands inside requests),
restarts it, lets the start-up reconcile finish, and checks (issue 4
point 4, DESIGN.md "Moving a VF"):

  * no VF has two owners: over every Zone's Links.Endpoints (the switch's
    view through the API) and over the Systems' PCIeFunctions, each
    function appears at most once;
  * every move the client saw Completed before the kill is still in
    effect; a move in flight at the kill ends at its source or its
    target, and where its Task says (Completed: the target);
  * the desired state (the store's bindings table, read through SQLite)
    equals the switch's actual state (the Zones), function by function;
  * no task stays New/Running: every task of the run, including the ones
    the kill interrupted and the reconcile's own, reaches a final state.

The kill delays and the moves come from one seeded PRNG (--seed, printed);
the schedule of wall-clock events is as deterministic as a kill timer can
make it, and a failure prints the seed and the round to rerun.

With --kill-on-accept a round is instead one move and a SIGKILL the
moment its 202 Accepted arrives: what the 202 acknowledged (the task and
the move's intent) must survive, since the daemon commits before it
answers (mgmt/durable.h).

Usage: crash_moves.py --daemon PATH --chassis FILE [--rounds N] [--seed S]
                      [--kill-on-accept]
"""

import argparse
import base64
import http.client
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

FABRIC = "/redfish/v1/Fabrics/PCIe"
MOVE = FABRIC + "/Actions/Oem/MrFabric.MoveEndpoint"
FINAL = {"Completed", "Exception", "Killed", "Cancelled"}
EP_RE = re.compile(r"/Endpoints/F-(\d+)-(\d+)-(\d+)$")
FN_RE = re.compile(r"/PCIeDevices/(\d+)-(\d+)/PCIeFunctions/(\d+)$")
SETTLE_S = 20.0  # wall seconds the reconcile and old tasks get to finish


class Failure(Exception):
    pass


class Gone(Exception):
    """The daemon is dead (killed on purpose) or the request failed."""


def fid_of(uri):
    m = EP_RE.search(uri)
    chip, port, idx = (int(g) for g in m.groups())
    return (chip << 24) | (port << 16) | idx


class Daemon:
    def __init__(self, args, workdir):
        self.args = args
        self.cfg = os.path.join(workdir, "mrfabricd.json")
        self.db = os.path.join(workdir, "state.db")
        # plain HTTP on loopback and HTTP Basic as the first Administrator
        pwfile = os.path.join(workdir, "admin-password")
        password = "crash-" + os.urandom(8).hex()
        with open(pwfile, "w", encoding="utf-8") as f:
            f.write(password + "\n")
        self.auth = "Basic " + base64.b64encode(
            f"admin:{password}".encode()).decode()
        with open(self.cfg, "w", encoding="utf-8") as f:
            json.dump({"listen": {"address": "127.0.0.1", "port": 0,
                                  "plain_http": True},
                       "accounts": {"admin_password_file": pwfile},
                       "database": self.db, "sim": {"speed": 0},
                       "log_level": "warn"}, f)
        self.proc = None
        self.drainer = None
        self.port = None
        self.log = []

    def start(self):
        # the port line is logged at info: ask for it on the command line
        self.proc = subprocess.Popen(
            [self.args.daemon, "--sim", self.args.chassis, "--config",
             self.cfg, "--log-level", "info"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.log = []
        for line in self.proc.stderr:
            self.log.append(line)
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
                break
        else:
            self.proc.wait()
            self.drainer = None
            raise Failure("mrfabricd did not start:\n" + "".join(self.log))
        # drain stderr so the daemon never blocks on a full pipe
        self.drainer = threading.Thread(target=self.drain,
                                        args=(self.proc,), daemon=True)
        self.drainer.start()

    def drain(self, proc):
        for line in proc.stderr:
            self.log.append(line)
            del self.log[:-50]

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)

    def reap(self):
        if self.proc:
            self.proc.wait()
            # the pipe ends with the daemon: let the drain see its end
            # before the pipe is closed under it
            if self.drainer:
                self.drainer.join(10)
            self.proc.stderr.close()
            self.proc = None

    def stop(self):
        """SIGTERM: the clean shutdown must end with status 0."""
        self.proc.send_signal(signal.SIGTERM)
        status = self.proc.wait(60)
        if self.drainer:
            self.drainer.join(10)
        self.proc.stderr.close()
        self.proc = None
        if status != 0:
            raise Failure(f"exit status {status} after SIGTERM:\n"
                          + "".join(self.log[-40:]))

    def request(self, method, uri, body=None):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                              timeout=30)
            hdrs = {"Authorization": self.auth}
            if body is not None:
                body = json.dumps(body).encode()
                hdrs["Content-Type"] = "application/json"
            conn.request(method, uri, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            loc = resp.getheader("Location")
            conn.close()
        except (OSError, http.client.HTTPException) as e:
            raise Gone(str(e)) from e
        return resp.status, loc, data

    def get(self, uri):
        st, _, data = self.request("GET", uri)
        if st != 200:
            raise Failure(f"GET {uri}: {st} {data[:300]!r}")
        return json.loads(data)


class Crash:
    def __init__(self, args, d):
        self.args = args
        self.d = d
        self.rng = random.Random(args.seed)
        self.zones = []      # zone URIs, index = partition
        self.vfs = []        # VF endpoint URIs
        self.where = {}      # VF -> partition the client knows it is in
        self.inflight = {}   # VF -> (task id or None, src, dst)
        self.tasks = {}      # task id -> VF of the move (None: other)
        self.final = set()   # task ids seen in a final state
        self.moves_done = 0
        self.moves_started = 0

    # -- the fabric as the API shows it ------------------------------------
    def discover(self):
        zs = self.d.get(FABRIC + "/Zones")["Members"]
        self.zones = [m["@odata.id"] for m in zs]
        eps = self.d.get(FABRIC + "/Endpoints")["Members"]
        self.vfs = [m["@odata.id"] for m in eps
                    if EP_RE.search(m["@odata.id"])
                    and not m["@odata.id"].endswith("-0")]
        if len(self.zones) < 2 or not self.vfs:
            raise Failure(f"need two zones and a VF: {zs} {eps}")

    def owners(self):
        """VF -> partition from every Zone, failing on two owners."""
        own = {}
        for p, z in enumerate(self.zones):
            for link in self.d.get(z)["Links"]["Endpoints"]:
                uri = link["@odata.id"]
                if not EP_RE.search(uri):
                    continue
                if uri in own:
                    raise Failure(f"{uri} in zones {own[uri]} and {p}")
                own[uri] = p
        return own

    def system_functions(self):
        """Endpoint URI -> partition of every PCIeFunction the Systems
        (Blade-<partition>) list, failing on a function listed twice."""
        seen = {}
        for s in self.d.get("/redfish/v1/Systems")["Members"]:
            sysuri = s["@odata.id"]
            part = int(re.search(r"-(\d+)$", sysuri).group(1))
            body = self.d.get(sysuri)
            links = body.get("Links", {}).get("PCIeFunctions", []) + \
                body.get("PCIeFunctions", [])
            for link in links:
                m = FN_RE.search(link["@odata.id"])
                ep = f"{FABRIC}/Endpoints/F-{m[1]}-{m[2]}-{m[3]}"
                if ep in seen:
                    raise Failure(f"{link['@odata.id']} in systems "
                                  f"{seen[ep]} and {part}")
                seen[ep] = part
        return seen

    def desired(self):
        """fid -> partition of the store's bindings (read-only, WAL)."""
        con = sqlite3.connect(f"file:{self.d.db}?mode=ro", uri=True,
                              timeout=30)
        try:
            rows = con.execute("SELECT fid, partition FROM bindings")
            return dict(rows.fetchall())
        finally:
            con.close()

    def task_state(self, tid):
        return self.d.get(f"/redfish/v1/TaskService/Tasks/{tid}")["TaskState"]

    # -- after each (re)start ------------------------------------------------
    def settle(self):
        """Wait until every task of the service is final."""
        deadline = time.monotonic() + SETTLE_S
        while True:
            members = self.d.get("/redfish/v1/TaskService/Tasks")["Members"]
            open_ = []
            for m in members:
                tid = int(m["@odata.id"].rsplit("/", 1)[1])
                if tid in self.final:
                    continue
                st = self.task_state(tid)
                if st in FINAL:
                    self.final.add(tid)
                else:
                    open_.append((tid, st))
            known = {int(m["@odata.id"].rsplit("/", 1)[1]) for m in members}
            for tid in self.tasks:
                if tid not in known and tid not in self.final:
                    raise Failure(f"task {tid} is gone from TaskService")
            if not open_:
                return
            if time.monotonic() > deadline:
                raise Failure(f"tasks stuck after {SETTLE_S} s: {open_}")
            time.sleep(0.005)

    def check(self):
        own = self.owners()
        blades = self.system_functions()
        if blades != own:
            raise Failure(f"the Systems list {blades}, the Zones {own}")
        want = self.desired()
        for vf in self.vfs:
            fid = fid_of(vf)
            if want.get(fid) != own.get(vf):
                raise Failure(f"{vf}: store wants zone {want.get(fid)}, "
                              f"switch has {own.get(vf)}")
            fl = self.inflight.pop(vf, None)
            if fl is None:
                if own.get(vf) != self.where[vf]:
                    raise Failure(f"{vf}: last completed move put it in "
                                  f"zone {self.where[vf]}, now "
                                  f"{own.get(vf)}")
                continue
            tid, src, dst = fl
            if own.get(vf) not in (src, dst):
                raise Failure(f"{vf}: moving {src}->{dst} at the kill, "
                              f"now in {own.get(vf)}")
            if tid is not None:
                st = self.task_state(tid)
                if st == "Completed" and own.get(vf) != dst:
                    raise Failure(f"{vf}: task {tid} Completed, but in "
                                  f"zone {own.get(vf)}, not {dst}")
            self.where[vf] = own.get(vf)

    # -- the stream ------------------------------------------------------------
    def bind_all(self):
        own = self.owners()
        for i, vf in enumerate(self.vfs):
            if vf in own:
                self.where[vf] = own[vf]
                continue
            p = i % len(self.zones)
            st, _, data = self.d.request(
                "POST", self.zones[p] + "/Actions/Zone.AddEndpoint",
                {"Endpoint": {"@odata.id": vf}})
            if st != 204:
                raise Failure(f"bind {vf}: {st} {data[:300]!r}")
            self.where[vf] = p

    def start_move(self):
        idle = [v for v in self.vfs if v not in self.inflight]
        if not idle:
            return
        vf = self.rng.choice(idle)
        src = self.where[vf]
        dst = self.rng.choice([p for p in range(len(self.zones))
                               if p != src])
        # counted in flight before the request: a kill during it leaves
        # the outcome unknown to the client
        self.inflight[vf] = (None, src, dst)
        st, loc, data = self.d.request(
            "POST", MOVE, {"Endpoint": {"@odata.id": vf},
                           "TargetZone": {"@odata.id": self.zones[dst]}})
        if st != 202:
            raise Failure(f"move {vf} {src}->{dst}: {st} {data[:300]!r}")
        tid = int(loc.rsplit("/", 1)[1])
        self.inflight[vf] = (tid, src, dst)
        self.tasks[tid] = vf
        self.moves_started += 1

    def poll_moves(self):
        for vf, (tid, src, dst) in list(self.inflight.items()):
            st = self.task_state(tid)
            if st == "Completed":
                del self.inflight[vf]
                self.where[vf] = dst
                self.final.add(tid)
                self.moves_done += 1
            elif st in FINAL:
                raise Failure(f"move of {vf} {src}->{dst}: task {tid} {st}")

    def stream(self, kill_after):
        """Moves until the daemon dies; it is killed @kill_after s in."""
        timer = threading.Timer(kill_after, self.d.kill)
        timer.start()
        try:
            while True:
                for _ in range(self.rng.randint(1, 3)):
                    self.start_move()
                self.poll_moves()
        except Gone:
            pass
        finally:
            timer.join()
        self.d.reap()

    def accept_then_kill(self):
        """One move, SIGKILL the moment its 202 arrives (--kill-on-accept):
        the 202 names a task, so the task and the move's intent must have
        been durable before it was sent; the restart must show that task
        (settle) and the move at its source or, if Completed, its target
        (check)."""
        try:
            self.start_move()
        except Gone as e:
            raise Failure(f"move refused before any kill: {e}") from e
        self.d.kill()
        self.d.reap()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--daemon", required=True)
    ap.add_argument("--chassis", required=True)
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--max-kill-ms", type=float, default=250.0,
                    help="kills land uniformly in 0..this after a round's "
                         "stream starts")
    ap.add_argument("--kill-on-accept", action="store_true",
                    help="each round starts one move and kills the daemon "
                         "as soon as its 202 Accepted arrives")
    args = ap.parse_args()
    print(f"crash_moves: seed {args.seed}, {args.rounds} rounds",
          flush=True)

    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mrfabricd-crash-") as wd:
        d = Daemon(args, wd)
        c = Crash(args, d)
        rnd = 0
        try:
            d.start()
            c.discover()
            c.settle()
            c.bind_all()
            for rnd in range(1, args.rounds + 1):
                if args.kill_on_accept:
                    c.accept_then_kill()
                else:
                    c.stream(c.rng.uniform(0, args.max_kill_ms) / 1000.0)
                d.start()
                c.settle()
                c.check()
            d.stop()
        except Failure as e:
            d.kill()
            d.reap()
            print(f"FAIL round {rnd} (seed {args.seed}): {e}")
            print("".join(d.log[-20:]))
            return 1
    dt = time.monotonic() - t0
    print(f"{args.rounds} kills survived: {c.moves_started} moves started, "
          f"{c.moves_done} seen completed, {len(c.final)} tasks final; "
          f"{dt:.1f} s, {1000 * dt / max(args.rounds, 1):.0f} ms per round")
    return 0


if __name__ == "__main__":
    sys.exit(main())
