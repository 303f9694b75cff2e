#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mrfabricctl end to end: the CLI against a running mrfabricd on the
embedded simulator (examples/chassis-small.json: two blades, one SR-IOV
NIC with VFs F-0-2-1 .. F-0-2-8), and discover on dump files.

Each test states one behaviour and asserts on what a user or a script
sees: the exit status, the lines printed, and the REST resources read
back independently with http.client.  When the daemon has accounts and
TLS (its --help offers --admin-user), the CLI logs in with a session and
trusts the daemon's generated certificate through --cacert; a ReadOnly
user's move and a request without credentials then exit 3.
"""
import argparse
import http.client
import json
import os
import pty
import re
import select
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import base64
import queue

ARGS = None
EP = "/redfish/v1/Fabrics/PCIe/Endpoints/"
FN = "/redfish/v1/Chassis/Enclosure/PCIeDevices/0-2/PCIeFunctions/"


def daemon_has_security():
    out = subprocess.run([ARGS.daemon, "--help"], capture_output=True,
                         text=True).stdout
    return "--admin-user" in out


class Daemon:
    """mrfabricd --sim on 127.0.0.1 with its state in @workdir."""

    def __init__(self, workdir, speed="0", port=0, secure=None, cfg=None):
        self.workdir = workdir
        self.secure = daemon_has_security() if secure is None else secure
        self.speed = speed
        self.port = port
        self.cfg = cfg or {}
        self.scheme = "http"
        self.log = []
        self.proc = None
        self.cacert = None
        self.admin_pw = os.path.join(workdir, "admin.pw")
        with open(self.admin_pw, "w", encoding="utf-8") as f:
            f.write("ctl-test-admin-pw\n")
        self.start()

    def start(self):
        cfg = os.path.join(self.workdir, "mrfabricd.json")
        with open(cfg, "w", encoding="utf-8") as f:
            json.dump(dict({"listen": {"address": "127.0.0.1",
                                       "port": self.port},
                            "database": os.path.join(self.workdir,
                                                     "state.db")},
                           **self.cfg), f)
        cmd = [ARGS.daemon, "--sim", ARGS.chassis, "--config", cfg,
               "--speed", self.speed]
        if self.secure:
            cmd += ["--admin-user", "admin",
                    "--admin-password-file", self.admin_pw]
        self.proc = subprocess.Popen(cmd, cwd=self.workdir,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        found = threading.Event()
        port = []

        def reader(proc=self.proc):
            for line in proc.stderr:
                self.log.append(line)
                m = re.search(r"listening on (https?)://127\.0\.0\.1:(\d+)/",
                              line)
                if m and not port:
                    port.append((m.group(1), int(m.group(2))))
                    found.set()
            found.set()

        self.reader = threading.Thread(target=reader, daemon=True)
        self.reader.start()
        found.wait(120)
        if not port:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("mrfabricd did not start:\n" +
                               "".join(self.log))
        self.scheme, self.port = port[0]
        if self.scheme == "https":
            self.cacert = self.find_cert()

    def find_cert(self):
        """The certificate the daemon generated in its state directory."""
        for line in self.log:
            m = re.search(r"(/\S+\.(?:pem|crt))", line)
            if m and os.path.exists(m.group(1)) and "key" not in m.group(1):
                return m.group(1)
        for root, _, files in os.walk(self.workdir):
            for f in files:
                if f.endswith((".pem", ".crt")) and "key" not in f:
                    return os.path.join(root, f)
        raise RuntimeError("no generated certificate found")

    @property
    def url(self):
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def stop(self):
        if not self.proc:
            return 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            st = self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            st = self.proc.wait()
        self.reader.join(10)
        self.proc.stderr.close()
        self.proc = None
        return st

    # -- independent REST access (not through the CLI) --
    def request(self, method, path, body=None, user="admin",
                password="ctl-test-admin-pw"):
        if self.scheme == "https":
            ctx = ssl.create_default_context(cafile=self.cacert)
            ctx.check_hostname = False
            conn = http.client.HTTPSConnection("127.0.0.1", self.port,
                                               timeout=30, context=ctx)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                              timeout=30)
        headers = {}
        if self.secure and user:
            tok = base64.b64encode(f"{user}:{password}".encode()).decode()
            headers["Authorization"] = "Basic " + tok
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        raw = r.read()
        conn.close()
        return r.status, dict(r.getheaders()), (json.loads(raw) if raw
                                                 else None)

    def get(self, path):
        st, _, body = self.request("GET", path)
        assert st == 200, (path, st, body)
        return body

    def owner(self, vf):
        fn = self.get(FN + str(vf))
        sysl = fn["Oem"]["MrFabric"].get("System")
        return sysl["@odata.id"].rsplit("/", 1)[1] if sysl else "free"

    def assign(self, vf, blade):
        st, _, body = self.request(
            "POST",
            f"/redfish/v1/Fabrics/PCIe/Zones/Zone-{blade}/Actions/"
            "Zone.AddEndpoint",
            {"Endpoint": {"@odata.id": f"{EP}F-0-2-{vf}"}})
        assert st == 204, (st, body)


class Ctl:
    """Runs mrfabricctl against a daemon, with its own session dir."""

    def __init__(self, daemon, home):
        self.d = daemon
        self.env = dict(os.environ)
        self.env["XDG_RUNTIME_DIR"] = home
        self.env["HOME"] = home
        self.env.pop("MRFABRIC_URL", None)
        self.env.pop("MRFABRIC_PASSWORD", None)
        self.home = home

    def argv(self, args, auth=True):
        a = [ARGS.ctl, "--url", self.d.url]
        if self.d.cacert:
            a += ["--cacert", self.d.cacert]
        if auth and self.d.secure:
            a += ["--user", "admin", "--password-file", self.d.admin_pw]
        return a + list(args)

    def run(self, *args, auth=True, timeout=120):
        p = subprocess.run(self.argv(args, auth), env=self.env,
                           capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr


class Lines:
    """The stdout lines of a running process, read by a thread (select on
    a buffered pipe would miss lines already in the buffer)."""

    def __init__(self, proc):
        self.q = queue.Queue()
        self.t = threading.Thread(target=self._read, args=(proc,),
                                  daemon=True)
        self.t.start()

    def _read(self, proc):
        for line in proc.stdout:
            self.q.put(line)
        self.q.put(None)

    def next(self, timeout):
        """The next line, or None at its end or after @timeout s."""
        try:
            return self.q.get(timeout=timeout)
        except queue.Empty:
            return None


class CtlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="mrfabricctl-e2e-")
        wd = os.path.join(cls.tmp.name, "d")
        os.mkdir(wd)
        cls.d = Daemon(wd)
        home = os.path.join(cls.tmp.name, "home")
        os.mkdir(home, 0o700)
        cls.ctl = Ctl(cls.d, home)

    @classmethod
    def tearDownClass(cls):
        st = cls.d.stop()
        cls.tmp.cleanup()
        if st != 0:
            raise RuntimeError(f"mrfabricd exit status {st}:\n" +
                               "".join(cls.d.log[-30:]))

    def ok(self, *args):
        rc, out, err = self.ctl.run(*args)
        self.assertEqual(rc, 0, f"{args}: rc {rc}\n{out}\n{err}")
        return out

    # ---- help and usage ----
    def test_help_lists_every_command_and_the_exit_codes(self):
        out = self.ok("--help")
        for cmd in ("login", "logout", "topology", "functions", "assign",
                    "unassign", "move", "events", "dot", "discover"):
            self.assertIn(f"\n  {cmd}", out)
        for code in range(8):
            self.assertRegex(out, rf"\n  {code}  \S")

    def test_every_command_has_its_own_help(self):
        for cmd in ("login", "logout", "topology", "functions", "assign",
                    "unassign", "move", "events", "dot", "discover"):
            rc, out, _ = self.ctl.run(cmd, "--help")
            self.assertEqual(rc, 0, cmd)
            self.assertTrue(out.startswith(
                f"Usage: mrfabricctl [OPTIONS] {cmd}"), out)
            self.assertGreater(len(out.splitlines()), 3, cmd)

    def test_unknown_command_exits_1(self):
        rc, _, err = self.ctl.run("frobnicate")
        self.assertEqual(rc, 1)
        self.assertIn('mrfabricctl: usage: no command "frobnicate"', err)

    def test_password_option_does_not_exist(self):
        rc, _, err = self.ctl.run("--password", "x", "topology")
        self.assertEqual(rc, 1)
        self.assertIn("--password: passwords are never given on the "
                      "command line", err)

    def test_bad_timeout_exits_1(self):
        rc, _, err = self.ctl.run("--timeout", "soon", "topology")
        self.assertEqual(rc, 1)
        self.assertIn("--timeout soon: expected seconds", err)

    def test_blade_name_of_no_known_form_exits_1(self):
        rc, _, err = self.ctl.run("assign", "F-0-2-1", "blade one")
        self.assertEqual(rc, 1)
        self.assertIn('blade "blade one": expected Blade-N, N or Zone-N',
                      err)

    def test_unreachable_service_exits_2(self):
        p = subprocess.run(
            [ARGS.ctl, "--url", "http://127.0.0.1:1", "topology"],
            env=self.ctl.env, capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("mrfabricctl: GET /redfish/v1/Fabrics/PCIe: "
                      "http://127.0.0.1:1: ", p.stderr)

    # ---- topology and functions ----
    def test_topology_shows_the_owner_of_each_vf(self):
        self.d.assign(3, 0)
        out = self.ok("topology")
        self.assertRegex(out, r"VF 3 +15b3:101e +F-0-2-3 +Blade-0\n")
        self.assertRegex(out, r"Blade-0 +Host-0 +Zone-0 +functions: .*"
                              r"F-0-2-3")
        self.assertRegex(out, r"Port 2 +DownstreamPort +LinkUp +x16 .*"
                              r"-> device 0-2")
        self.assertRegex(out, r"PF 0 +15b3:101d +- +fabric")

    def test_topology_json_is_the_rest_resources(self):
        model = json.loads(self.ok("--json", "topology"))
        sw = self.d.get("/redfish/v1/Fabrics/PCIe/Switches/0")
        got = dict(model["Switches"][0])
        ports = got.pop("PortMembers")
        self.assertEqual(got, sw)
        self.assertEqual(ports[2], self.d.get(
            "/redfish/v1/Fabrics/PCIe/Switches/0/Ports/2"))
        self.assertEqual(model["Systems"][1],
                         self.d.get("/redfish/v1/Systems/Blade-1"))
        self.assertEqual([z["Id"] for z in model["Zones"]],
                         ["Zone-0", "Zone-1"])
        dev = dict(model["PCIeDevices"][0])
        fns = dev.pop("FunctionMembers")
        self.assertEqual(dev, self.d.get(dev["@odata.id"]))
        self.assertEqual(fns[1], self.d.get(FN + "1"))

    def test_functions_json_matches_the_pcie_functions(self):
        got = json.loads(self.ok("--json", "functions"))
        want = [self.d.get(FN + str(i)) for i in range(9)]
        self.assertEqual(got, want)

    def test_functions_owner_filter_lists_only_that_blades(self):
        self.d.assign(6, 1)
        out = self.ok("functions", "--owner", "1")
        rows = out.splitlines()[1:]
        self.assertTrue(rows)
        for r in rows:
            self.assertEqual(r.split()[5], "Blade-1", r)
        self.assertIn("F-0-2-6", out)

    def test_functions_free_filter_lists_only_free_vfs(self):
        out = self.ok("functions", "--free")
        rows = out.splitlines()[1:]
        for r in rows:
            f = r.split()
            self.assertEqual(f[5], "free", r)
            self.assertEqual(self.d.owner(int(f[0].rsplit("-", 1)[1])),
                             "free")

    def test_functions_device_filter_of_unknown_device_lists_nothing(self):
        out = self.ok("functions", "--device", "9-9")
        self.assertEqual(out.splitlines(), [
            "FUNCTION   DEVICE  TYPE   ID          OWNER     STATE"])

    # ---- assign, unassign ----
    def test_assign_binds_the_vf_to_the_blade(self):
        out = self.ok("assign", "F-0-2-4", "Blade-1")
        self.assertEqual(out, "F-0-2-4 assigned to Blade-1\n")
        self.assertEqual(self.d.owner(4), "Blade-1")
        zone = self.d.get("/redfish/v1/Fabrics/PCIe/Zones/Zone-1")
        self.assertIn({"@odata.id": EP + "F-0-2-4"},
                      zone["Links"]["Endpoints"])

    def test_unassign_wait_frees_the_vf(self):
        self.d.assign(7, 0)
        out = self.ok("unassign", "F-0-2-7", "--wait")
        self.assertIn(" done: ", out)
        self.assertTrue(out.endswith("F-0-2-7 removed from Blade-0\n"),
                        out)
        self.assertEqual(self.d.owner(7), "free")

    def test_unassign_surprise_wait_frees_the_vf(self):
        if self.d.owner(3) == "free":
            self.d.assign(3, 1)
        out = self.ok("unassign", "F-0-2-3", "--surprise", "--wait")
        self.assertRegex(out, r"task \d+: Completed\n")
        self.assertEqual(self.d.owner(3), "free")

    def test_unassign_of_a_free_vf_exits_5(self):
        free = [i for i in range(1, 9) if self.d.owner(i) == "free"]
        rc, _, err = self.ctl.run("unassign", f"F-0-2-{free[0]}")
        self.assertEqual(rc, 5)
        self.assertIn(f"unassign F-0-2-{free[0]}: not assigned to any "
                      "blade", err)

    def test_assign_of_vf_another_blade_has_exits_5(self):
        self.d.assign(8, 0)
        rc, _, err = self.ctl.run("assign", "F-0-2-8", "Zone-1")
        self.assertEqual(rc, 5)
        self.assertIn("mrfabricctl: assign F-0-2-8 to Blade-1: ", err)
        self.assertEqual(self.d.owner(8), "Blade-0")

    def test_unknown_function_exits_4(self):
        rc, _, err = self.ctl.run("assign", "F-0-9-1", "0")
        self.assertEqual(rc, 4)
        self.assertIn("F-0-9-1' was not found", err)

    def test_move_to_unknown_blade_exits_4(self):
        rc, _, err = self.ctl.run("move", "F-0-2-3", "Blade-7")
        self.assertEqual(rc, 4)
        self.assertIn("mrfabricctl: move F-0-2-3 to Blade-7: ", err)

    # ---- move ----
    def test_move_wait_piped_prints_one_line_per_phase(self):
        self.d.assign(5, 0)
        out = self.ok("move", "F-0-2-5", "Blade-1", "--wait")
        phases = re.findall(r"^task \d+: +\d+% (\w+): ", out, re.M)
        self.assertEqual(phases, ["removing", "resetting", "adding", "done"])
        self.assertNotIn("\r", out)
        self.assertRegex(out, r"task \d+: Completed\nF-0-2-5 moved to "
                              r"Blade-1\n$")
        self.assertEqual(self.d.owner(5), "Blade-1")

    def test_move_wait_on_a_terminal_draws_a_progress_bar(self):
        self.d.assign(2, 1)
        master, slave = pty.openpty()
        p = subprocess.Popen(self.ctl.argv(["move", "F-0-2-2", "0",
                                            "--wait"]),
                             env=self.ctl.env, stdout=slave,
                             stderr=subprocess.DEVNULL)
        os.close(slave)
        out = b""
        while True:
            r, _, _ = select.select([master], [], [], 60)
            if not r:
                break
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        os.close(master)
        self.assertEqual(p.wait(60), 0)
        text = out.decode()
        self.assertIn("\r[", text)
        self.assertIn("] 100% done", text)
        self.assertEqual(self.d.owner(2), "Blade-0")

    def test_move_json_wait_prints_the_completed_task(self):
        self.d.assign(1, 0)
        task = json.loads(self.ok("--json", "move", "F-0-2-1", "1",
                                  "--wait"))
        self.assertEqual(task["TaskState"], "Completed")
        self.assertEqual(task, self.d.get(task["@odata.id"]))

    # ---- events ----
    def test_events_print_the_events_of_a_move(self):
        p = subprocess.Popen(self.ctl.argv(["events"]), env=self.ctl.env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        lines = Lines(p)
        seen = []
        try:
            if self.d.owner(4) == "free":
                self.d.assign(4, 0)
            # the stream shows only what happens after it connected:
            # move until it shows a move (the first one may come before)
            for _ in range(10):
                to = "1" if self.d.owner(4) == "Blade-0" else "0"
                self.assertEqual(self.ctl.run("move", "F-0-2-4", to,
                                              "--wait")[0], 0)
                while True:
                    line = lines.next(2)
                    if line is None:
                        break
                    seen.append(line)
                    if "FunctionBound F-0-2-4:" in line:
                        break
                if seen and "FunctionBound F-0-2-4:" in seen[-1]:
                    break
            self.assertTrue(seen, "no event printed")
            self.assertRegex(seen[-1], r"^\d+ \d{4}-\d\d-\d\dT\S+ OK +"
                                       r"MrfabricEvent\.1\.0\.FunctionBound "
                                       r"F-0-2-4: Function 'F-0-2-4' was "
                                       r"bound to slot \d+ of partition \d")
        finally:
            p.kill()
            p.wait()
            lines.t.join(10)
            p.stdout.close()
            p.stderr.close()

    def test_events_since_an_id_receives_only_later_ones(self):
        first = json.loads(self.ok("--json", "events", "--since", "0",
                                   "--count", "1"))
        last = int(first["Id"])
        out = self.ok("--json", "events", "--since", str(last),
                      "--count", "3")
        ids = [int(json.loads(ln)["Id"]) for ln in out.splitlines()]
        self.assertEqual(ids, [last + 1, last + 2, last + 3])

    def test_events_since_an_unknown_id_reports_the_gap(self):
        rc, out, err = self.ctl.run("events", "--since", "999999",
                                    "--count", "1")
        self.assertEqual(rc, 0, err)
        self.assertIn("mrfabricctl: events: the service reports a gap: "
                      "Event 999999 was never issued by this service", err)
        self.assertIn("MrfabricEvent.1.0.EventIdUnknown", out)

    # ---- dot ----
    def test_dot_output_is_a_graph_graphviz_renders(self):
        out = self.ok("dot")
        self.assertTrue(out.startswith("digraph fabric {"))
        self.assertTrue(out.rstrip().endswith("}"))
        if shutil.which("dot"):
            p = subprocess.run(["dot", "-Tsvg"], input=out,
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("<svg", p.stdout)
        else:
            self.assertEqual(out.count("{"), out.count("}"))

    def test_dot_fills_a_vf_with_its_blades_colour(self):
        self.d.assign(6, 1) if self.d.owner(6) == "free" else None
        owner = self.d.owner(6)
        out = self.ok("dot")
        blade = re.search(rf'^  "{owner}" \[.*fillcolor=(\w+)\]', out, re.M)
        vf = re.search(r'^  "fn0-2\.6" \[.*fillcolor=(\w+),', out, re.M)
        self.assertIsNotNone(blade, out)
        self.assertIsNotNone(vf, out)
        self.assertEqual(vf.group(1), blade.group(1))
        self.assertRegex(out, rf'"fn0-2\.6" -> "{owner}" \[style=dashed')

    def test_dot_leaves_free_vfs_white(self):
        free = [i for i in range(1, 9) if self.d.owner(i) == "free"]
        self.assertTrue(free)
        out = self.ok("dot")
        self.assertRegex(out, rf'"fn0-2\.{free[0]}" \[.*fillcolor=white,')


class CtlAuthTest(unittest.TestCase):
    """Sessions, roles and TLS: only on a daemon with accounts."""

    @classmethod
    def setUpClass(cls):
        if not daemon_has_security():
            raise unittest.SkipTest("mrfabricd has no accounts")
        cls.tmp = tempfile.TemporaryDirectory(prefix="mrfabricctl-auth-")
        wd = os.path.join(cls.tmp.name, "d")
        os.mkdir(wd)
        cls.d = Daemon(wd)
        cls.n = 0
        st, _, body = cls.d.request(
            "POST", "/redfish/v1/AccountService/Accounts",
            {"UserName": "viewer", "Password": "viewer-pass-1",
             "RoleId": "ReadOnly"})
        assert st == 201, (st, body)
        cls.viewer_pw = os.path.join(cls.tmp.name, "viewer.pw")
        with open(cls.viewer_pw, "w", encoding="utf-8") as f:
            f.write("viewer-pass-1\n")

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        cls.tmp.cleanup()

    def fresh_ctl(self):
        """A client with its own, empty session directory."""
        CtlAuthTest.n += 1
        home = os.path.join(self.tmp.name, f"home{self.n}")
        os.mkdir(home, 0o700)
        return Ctl(self.d, home)

    def test_daemon_serves_https(self):
        self.assertEqual(self.d.scheme, "https")

    def test_login_keeps_the_token_in_a_0600_file(self):
        ctl = self.fresh_ctl()
        rc, out, err = ctl.run("login")
        self.assertEqual(rc, 0, err)
        path = os.path.join(ctl.home, "mrfabricctl",
                            f"session-127.0.0.1:{self.d.port}")
        self.assertIn(f"kept in {path}", out)
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        with open(path, encoding="utf-8") as f:
            kept = json.load(f)
        self.assertEqual(kept["UserName"], "admin")
        self.assertTrue(kept["Session"].startswith(
            "/redfish/v1/SessionService/Sessions/"))
        self.assertEqual(self.d.request("GET", kept["Session"])[0], 200)

    def test_commands_after_login_need_no_password(self):
        ctl = self.fresh_ctl()
        self.assertEqual(ctl.run("login")[0], 0)
        rc, out, err = ctl.run("functions", "--free", auth=False)
        self.assertEqual(rc, 0, err)
        self.assertIn("FUNCTION", out)

    def test_logout_ends_the_session_and_removes_the_file(self):
        ctl = self.fresh_ctl()
        self.assertEqual(ctl.run("login")[0], 0)
        path = os.path.join(ctl.home, "mrfabricctl",
                            f"session-127.0.0.1:{self.d.port}")
        with open(path, encoding="utf-8") as f:
            uri = json.load(f)["Session"]
        rc, out, _ = ctl.run("logout", auth=False)
        self.assertEqual(rc, 0)
        self.assertFalse(os.path.exists(path))
        self.assertEqual(self.d.request("GET", uri)[0], 404)
        rc, _, err = ctl.run("functions", auth=False)
        self.assertEqual(rc, 3, err)

    def test_user_option_of_another_user_overrides_the_session(self):
        ctl = self.fresh_ctl()
        self.assertEqual(ctl.run("login")[0], 0)
        self.d.assign(4, 0) if self.d.owner(4) == "free" else None
        frm = self.d.owner(4)
        to = "Blade-1" if frm == "Blade-0" else "Blade-0"
        rc, _, err = ctl.run("--user", "viewer", "--password-file",
                             self.viewer_pw, "move", "F-0-2-4", to,
                             auth=False)
        self.assertEqual(rc, 3, err)
        self.assertEqual(self.d.owner(4), frm)

    def test_no_credentials_exits_3(self):
        rc, _, err = self.fresh_ctl().run("topology", auth=False)
        self.assertEqual(rc, 3)
        self.assertIn("mrfabricctl: GET /redfish/v1/Fabrics/PCIe: ", err)

    def test_wrong_password_login_exits_3(self):
        ctl = self.fresh_ctl()
        rc, _, err = ctl.run("--user", "admin", "--password-file",
                             self.viewer_pw, "login", auth=False)
        self.assertEqual(rc, 3, err)
        self.assertIn("mrfabricctl: login: ", err)
        self.assertFalse(os.path.exists(os.path.join(ctl.home,
                                                     "mrfabricctl")))

    def test_readonly_users_move_exits_3_and_changes_nothing(self):
        self.d.assign(3, 0)
        ctl = self.fresh_ctl()
        rc, _, err = ctl.run("--user", "viewer", "--password-file",
                             self.viewer_pw, "move", "F-0-2-3", "1",
                             auth=False)
        self.assertEqual(rc, 3, err)
        self.assertIn("mrfabricctl: move F-0-2-3 to Blade-1: ", err)
        self.assertEqual(self.d.owner(3), "Blade-0")

    def test_readonly_user_can_read_the_topology(self):
        rc, out, err = self.fresh_ctl().run(
            "--user", "viewer", "--password-file", self.viewer_pw,
            "topology", auth=False)
        self.assertEqual(rc, 0, err)
        self.assertIn("Fabric PCIe", out)

    def test_untrusted_certificate_exits_2(self):
        p = subprocess.run([ARGS.ctl, "--url", self.d.url, "--user", "admin",
                            "--password-file", self.d.admin_pw, "topology"],
                           env=self.fresh_ctl().env, capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("certificate", p.stderr)

    def test_insecure_connects_but_warns(self):
        p = subprocess.run([ARGS.ctl, "--url", self.d.url, "--insecure",
                            "--user", "admin", "--password-file",
                            self.d.admin_pw, "functions"],
                           env=self.fresh_ctl().env, capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("warning: --insecure", p.stderr)


class CtlSlowMoveTest(unittest.TestCase):
    """A daemon in real time, so a move is still running when asked."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="mrfabricctl-slow-")
        wd = os.path.join(cls.tmp.name, "d")
        os.mkdir(wd)
        cls.d = Daemon(wd, speed="1")
        home = os.path.join(cls.tmp.name, "home")
        os.mkdir(home, 0o700)
        cls.ctl = Ctl(cls.d, home)

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        cls.tmp.cleanup()

    def test_move_of_a_vf_being_moved_exits_5(self):
        self.d.assign(1, 0)
        rc, out, err = self.ctl.run("move", "F-0-2-1", "1")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"task \d+ started, monitor /redfish/v1/"
                              r"TaskService/TaskMonitors/\d+")
        rc, _, err = self.ctl.run("move", "F-0-2-1", "1")
        self.assertEqual(rc, 5, err)
        self.assertIn("mrfabricctl: move F-0-2-1 to Blade-1: ", err)


class CtlFailedMoveTest(unittest.TestCase):
    """A move that cannot finish in time (the hardware runs at 1/20 of
    real time, the move timeout is 1 s) ends in Exception."""

    def test_move_wait_of_a_failing_move_exits_6(self):
        with tempfile.TemporaryDirectory(prefix="mrfabricctl-fail-") as tmp:
            wd = os.path.join(tmp, "d")
            os.mkdir(wd)
            home = os.path.join(tmp, "home")
            os.mkdir(home, 0o700)
            d = Daemon(wd, speed="0.05", cfg={"timeouts": {"move_ms": 1000}})
            try:
                ctl = Ctl(d, home)
                d.assign(1, 0)
                rc, out, err = ctl.run("move", "F-0-2-1", "1", "--wait")
                self.assertEqual(rc, 6, out + err)
                self.assertRegex(out, r"task \d+: 100% failed: ")
                self.assertRegex(err, r"^mrfabricctl: move F-0-2-1 to "
                                      r"Blade-1: task \d+ Exception: ")
                self.assertNotEqual(d.owner(1), "Blade-1")
            finally:
                d.stop()


class CtlFollowTest(unittest.TestCase):
    """events --follow across a daemon restart."""

    def test_follow_resumes_with_last_event_id_after_a_restart(self):
        with tempfile.TemporaryDirectory(prefix="mrfabricctl-fol-") as tmp:
            wd = os.path.join(tmp, "d")
            os.mkdir(wd)
            home = os.path.join(tmp, "home")
            os.mkdir(home, 0o700)
            d = Daemon(wd)
            ctl = Ctl(d, home)
            ids = []
            p = subprocess.Popen(
                ctl.argv(["--json", "events", "--follow", "--since", "0"]),
                env=ctl.env, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True)
            try:
                lines = Lines(p)

                def read_until(pred, timeout=60):
                    end = time.time() + timeout
                    while time.time() < end:
                        line = lines.next(1)
                        if line is None:
                            continue
                        ev = json.loads(line)
                        ids.append(int(ev["Id"]))
                        if pred(ev):
                            return True
                    return False

                def bound(vf):
                    return lambda ev: any(
                        r["MessageId"].endswith("FunctionBound") and
                        r["MessageArgs"][0] == f"F-0-2-{vf}"
                        for r in ev["Events"])

                d.assign(1, 0)
                self.assertTrue(read_until(bound(1)))
                self.assertEqual(d.stop(), 0)
                d.start()
                d.assign(2, 1)
                self.assertTrue(read_until(bound(2)))
            finally:
                p.kill()
                p.wait()
                err = p.stderr.read()
                lines.t.join(10)
                p.stdout.close()
                p.stderr.close()
                d.stop()
            # every event once, in order, none lost across the restart
            self.assertEqual(ids, list(range(ids[0], ids[-1] + 1)))
            self.assertIn("reconnecting in", err)
            self.assertRegex(err, r"after event \d+")


class CtlDiscoverTest(unittest.TestCase):
    def discover(self, *args):
        p = subprocess.run([ARGS.ctl, *args], capture_output=True,
                           text=True)
        return p.returncode, p.stdout, p.stderr

    def test_shipped_fabric_dump_shows_ports_and_sriov(self):
        rc, out, _ = self.discover(
            "discover", "--dump",
            os.path.join(ARGS.source, "tests/data/lspci-small-fabric.txt"))
        self.assertEqual(rc, 0)
        self.assertIn("13 PCI functions (libpci method dump)", out)
        self.assertIn("\n0000:00:00.0 1000:c030 class 060400 Upstream "
                      "Port\n", out)
        self.assertIn("\n0000:00:02.0 1000:c030 class 060400 Downstream "
                      "Port\n", out)
        self.assertIn("SR-IOV: TotalVFs 8, NumVFs 8, InitialVFs 8, "
                      "First VF Offset 1, VF Stride 1, VF Device ID 101e, "
                      "VF Enable on", out)
        # VF 8 (routing ID offset 8, no ARI) is device 1 function 0
        self.assertIn("\n0000:03:01.0 15b3:101e class 020000 Endpoint, "
                      "VF of 0000:03:00.0\n", out)
        self.assertIn("\n    link: down (max 32GT/s x4)\n", out)

    def test_shipped_blade_dump_shows_hotplug_slots(self):
        rc, out, _ = self.discover(
            "discover", "--dump",
            os.path.join(ARGS.source, "tests/data/lspci-small-blade0.txt"))
        self.assertEqual(rc, 0)
        self.assertIn("Root Port", out)
        self.assertRegex(out, r"slot \d+: hot-plug")

    def test_fresh_simulator_dump_reads_like_the_shipped_one(self):
        with tempfile.TemporaryDirectory() as tmp:
            dump = os.path.join(tmp, "fabric.txt")
            subprocess.run([ARGS.sim, "--chassis", ARGS.chassis, "--dump",
                            "fabric", "--output", dump], check=True,
                           capture_output=True)
            rc, fresh, _ = self.discover("--json", "discover", "--dump",
                                         dump)
            self.assertEqual(rc, 0)
        rc, shipped, _ = self.discover(
            "--json", "discover", "--dump",
            os.path.join(ARGS.source, "tests/data/lspci-small-fabric.txt"))
        fresh, shipped = json.loads(fresh), json.loads(shipped)
        self.assertEqual(fresh["Method"], "dump")
        self.assertEqual(fresh["Functions"], shipped["Functions"])
        pf = [f for f in fresh["Functions"] if f["Address"] ==
              "0000:03:00.0"][0]
        self.assertEqual(pf["SRIOV"], {
            "TotalVFs": 8, "NumVFs": 8, "InitialVFs": 8,
            "FirstVFOffset": 1, "VFStride": 1, "VFDeviceId": "0x101e",
            "VFEnable": True})
        self.assertEqual(pf["PortType"], "Endpoint")

    def test_host_scan_exits_0_and_names_its_method(self):
        rc, out, _ = self.discover("discover")
        self.assertEqual(rc, 0)
        self.assertRegex(out.splitlines()[0],
                         r"^\d+ PCI functions? \(libpci method ")

    def test_missing_dump_file_exits_1_naming_it(self):
        rc, _, err = self.discover("discover", "--dump", "/nonexistent.txt")
        self.assertEqual(rc, 1)
        self.assertIn("mrfabricctl: discover: ", err)
        self.assertIn("/nonexistent.txt", err)


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ctl", required=True)
    ap.add_argument("--daemon", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--chassis", required=True)
    ap.add_argument("--source", required=True)
    ARGS, rest = ap.parse_known_args()
    for k in ("ctl", "daemon", "sim", "chassis", "source"):
        setattr(ARGS, k, os.path.abspath(getattr(ARGS, k)))
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
