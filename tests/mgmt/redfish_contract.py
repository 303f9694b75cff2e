#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Redfish contract test of mrfabricd.

Starts the daemon on a simulated chassis, walks every resource reachable
from /redfish/v1 by following @odata.id links, and checks each one:

  * its body validates against the DMTF JSON Schema its @odata.type names
    (../shared/redfish/json-schema; the schemas' cross-file references
    "http://redfish.dmtf.org/schemas/v1/X.json#..." resolve to the local
    files through a RefResolver store);
  * @odata.id is the URI it was read from, Id is the last URI segment
    (DSP0266; the service root keeps the customary "RootService"), Name
    is there, a collection's Members@odata.count counts its Members;
  * the headers: OData-Version 4.0, Content-Type application/json, Allow
    with GET and HEAD, a strong ETag that If-None-Match answers with 304,
    Link <schema>; rel=describedby naming the schema of @odata.type; HEAD
    gives the same headers and no body.

Before the walk it binds two functions (Zone.AddEndpoint, POST to the
Zones collection, whose 201 body is validated too) and starts one move
(MrFabric.MoveEndpoint, 202 and a task monitor), so the walk meets a Task
and zones with members; task monitors are not walked (no resources).

Then the documents around the tree: /redfish, the odata service document
(every entry readable), $metadata (well-formed XML referencing a CSDL file
of ../shared/redfish/csdl declaring each namespace it includes, and every
schema the walk met), and error bodies (a 404 and a 405 validated against
DMTF's redfish-error schema).  Finally SIGTERM must stop the daemon with
status 0 (under AddressSanitizer, also without leaks).

Usage: redfish_contract.py --daemon PATH --chassis FILE --redfish DIR
"""

import argparse
import base64
import http.client
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import warnings
import xml.etree.ElementTree as ET
from collections import deque

warnings.filterwarnings("ignore", category=DeprecationWarning)
import jsonschema  # noqa: E402  (python3-jsonschema)

SCHEMA_BASE = "http://redfish.dmtf.org/schemas/v1/"
ROOT = "/redfish/v1"

# Links to resources that come with a later issue: reported, not failed,
# while they answer 404.
PENDING = {}

# The first Administrator of the test daemon (--admin-password-file); the
# walk runs over HTTPS, trusting the certificate the daemon generated,
# with a session token.
ADMIN = "admin"
PASSWORD = "contract-Passw0rd-" + os.urandom(6).hex()

TYPE_RE = re.compile(r"^#([A-Za-z0-9]+)(\.v\d+_\d+_\d+)?\.([A-Za-z0-9]+)$")


class Contract:
    def __init__(self, port, redfish_dir, cafile):
        self.port = port
        self.tls = ssl.create_default_context(cafile=cafile)
        self.token = None
        self.conn = None
        self.schema_dir = os.path.join(redfish_dir, "json-schema")
        self.csdl_dir = os.path.join(redfish_dir, "csdl")
        self.store = {}
        self.failures = []
        self.pending = []
        self.types = set()
        self.checked = 0
        self.want_types = set()  # namespaces the walk must meet

    # -- plumbing ---------------------------------------------------------
    def fail(self, uri, why):
        self.failures.append(f"{uri}: {why}")

    def request(self, method, uri, body=None, headers=None):
        hdrs = dict(headers or {})
        if self.token and "Authorization" not in hdrs:
            hdrs.setdefault("X-Auth-Token", self.token)
        if body is not None:
            body = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        # one kept-alive HTTPS connection (a TLS handshake per request
        # would slow the walk down several times); a new one if the
        # server closed it
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPSConnection(
                    "localhost", self.port, timeout=30, context=self.tls)
            try:
                self.conn.request(method, uri, body=body, headers=hdrs)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        if resp.will_close:
            self.conn.close()
            self.conn = None
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data

    def load_schema_file(self, name):
        path = os.path.join(self.schema_dir, name)
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    def fetch_remote(self, url):
        """RefResolver handler: DMTF schema URLs -> the local files."""
        name = url.rsplit("/", 1)[-1]
        doc = self.load_schema_file(name)
        self.store[url] = doc
        return doc

    def validator(self, file_name, definition):
        doc = self.load_schema_file(file_name)
        base = doc.get("$id", SCHEMA_BASE + file_name)
        self.store.setdefault(base, doc)
        self.store.setdefault(SCHEMA_BASE + file_name, doc)
        resolver = jsonschema.RefResolver(
            base_uri=base, referrer=doc, store=self.store,
            handlers={"http": self.fetch_remote,
                      "https": self.fetch_remote})
        schema = {"$ref": f"{base}#/definitions/{definition}"}
        return jsonschema.Draft7Validator(schema, resolver=resolver)

    def validate(self, uri, body, file_name, definition):
        try:
            v = self.validator(file_name, definition)
        except OSError as e:
            self.fail(uri, f"no schema {file_name}: {e}")
            return
        errors = sorted(v.iter_errors(body), key=lambda e: list(e.path))
        for e in errors[:5]:
            where = "/".join(str(p) for p in e.path) or "(body)"
            self.fail(uri, f"{file_name}#{definition}: {where}: "
                           f"{e.message[:300]}")

    # -- one resource -----------------------------------------------------
    def check_headers(self, uri, status, h, data, odata_type):
        if h.get("odata-version") != "4.0":
            self.fail(uri, f"OData-Version {h.get('odata-version')!r}")
        ctype = h.get("content-type", "")
        if not ctype.startswith("application/json"):
            self.fail(uri, f"Content-Type {ctype!r}")
        allow = [m.strip() for m in h.get("allow", "").split(",")]
        if "GET" not in allow or "HEAD" not in allow:
            self.fail(uri, f"Allow {h.get('allow')!r}")
        etag = h.get("etag", "")
        if not re.fullmatch(r'"[^"]+"', etag):
            self.fail(uri, f"ETag {etag!r} is not a strong entity tag")
        else:
            st, _, body = self.request("GET", uri,
                                       headers={"If-None-Match": etag})
            if st != 304 or body:
                self.fail(uri, f"If-None-Match with its ETag: {st}")
        m = TYPE_RE.match(odata_type or "")
        if m:
            schema = m.group(1) + (m.group(2) or "")
            want = f"<{SCHEMA_BASE}{schema}.json>; rel=describedby"
            if h.get("link") != want:
                self.fail(uri, f"Link {h.get('link')!r}, want {want!r}")
        st, hh, body = self.request("HEAD", uri)
        if st != status or body:
            self.fail(uri, f"HEAD: status {st}, {len(body)} body bytes")
        if hh.get("content-length") != str(len(data)):
            self.fail(uri, f"HEAD Content-Length {hh.get('content-length')}"
                           f" for {len(data)} bytes")
        if hh.get("etag") != h.get("etag"):
            self.fail(uri, "HEAD ETag differs from GET")

    def check_resource(self, uri):
        status, h, data = self.request("GET", uri)
        if status == 404 and uri in PENDING:
            self.pending.append(f"{uri} ({PENDING[uri]})")
            return None
        if status != 200:
            self.fail(uri, f"GET status {status}")
            return None
        try:
            body = json.loads(data)
        except ValueError as e:
            self.fail(uri, f"body is not JSON: {e}")
            return None
        self.checked += 1
        odata_type = body.get("@odata.type")
        self.check_headers(uri, status, h, data, odata_type)
        if body.get("@odata.id") != uri:
            self.fail(uri, f"@odata.id {body.get('@odata.id')!r}")
        m = TYPE_RE.match(odata_type or "")
        if not m:
            self.fail(uri, f"@odata.type {odata_type!r}")
            return body
        ns, version, typ = m.group(1), m.group(2), m.group(3)
        self.types.add(ns + (version or ""))
        if "Name" not in body:
            self.fail(uri, "no Name")
        if version:
            want_id = "RootService" if uri == ROOT else uri.rsplit("/", 1)[1]
            if body.get("Id") != want_id:
                self.fail(uri, f"Id {body.get('Id')!r}, want {want_id!r}")
        if "Members" in body and \
                body.get("Members@odata.count") != len(body["Members"]):
            self.fail(uri, "Members@odata.count does not count Members")
        self.validate(uri, body, f"{ns}{version or ''}.json", typ)
        return body

    @staticmethod
    def links(body):
        """Every @odata.id below the top level of @body."""
        out = []

        def walk(node, top):
            if isinstance(node, dict):
                for k, v in node.items():
                    if k == "@odata.id" and not top and isinstance(v, str):
                        out.append(v)
                    else:
                        walk(v, False)
            elif isinstance(node, list):
                for v in node:
                    walk(v, False)

        walk(body, True)
        return out

    def walk(self):
        seen = {ROOT}
        todo = deque([ROOT])
        while todo:
            uri = todo.popleft()
            body = self.check_resource(uri)
            if body is None:
                continue
            for link in self.links(body):
                link = link.split("#", 1)[0].rstrip("/")
                # a task monitor is no resource (DSP0266 "Asynchronous
                # operations"): start_changes() checked the one it made
                if "/TaskMonitors/" in link:
                    continue
                if link.startswith(ROOT) and link not in seen:
                    seen.add(link)
                    todo.append(link)

    # -- changes, so that tasks and bound zones are in the walk -----------
    def start_changes(self):
        """Bind two functions (AddEndpoint, POST to Zones) and start one
        move, so the walk meets a Task and zones with members.  Uses the
        first two zones and the first two VF endpoints (F-c-p-n, n > 0),
        whatever the chassis; the move runs on real time (a managed
        hot-remove waits for the host), so it is still there when walked."""
        fabric = ROOT + "/Fabrics/PCIe"
        st, _, data = self.request("GET", fabric + "/Endpoints")
        members = [m["@odata.id"] for m in json.loads(data)["Members"]]
        vfs = [m for m in members
               if re.search(r"/F-\d+-\d+-[1-9]\d*$", m)][:2]
        hosts = [m for m in members if re.search(r"/Host-\d+$", m)][:2]
        if len(vfs) < 2 or len(hosts) < 2:
            self.fail(fabric, f"need two VFs and two hosts: {members}")
            return
        zone0, zone1 = fabric + "/Zones/Zone-0", fabric + "/Zones/Zone-1"
        st, _, data = self.request(
            "POST", zone0 + "/Actions/Zone.AddEndpoint",
            body={"Endpoint": {"@odata.id": vfs[0]}})
        if st != 204:
            self.fail(zone0, f"AddEndpoint: {st} {data[:300]!r}")
        st, h, data = self.request(
            "POST", fabric + "/Zones",
            body={"Links": {"Endpoints": [{"@odata.id": hosts[1]},
                                          {"@odata.id": vfs[1]}]}})
        if st != 201 or h.get("location") != zone1:
            self.fail(fabric + "/Zones", f"POST: {st} {h.get('location')}"
                                         f" {data[:300]!r}")
        else:
            self.validate("POST " + fabric + "/Zones", json.loads(data),
                          "Zone.v1_6_3.json", "Zone")
        st, h, data = self.request(
            "POST", fabric + "/Actions/Oem/MrFabric.MoveEndpoint",
            body={"Endpoint": {"@odata.id": vfs[0]},
                  "TargetZone": {"@odata.id": zone1}})
        monitor = h.get("location", "")
        if st != 202 or "/TaskMonitors/" not in monitor:
            self.fail(fabric, f"MoveEndpoint: {st} {data[:300]!r}")
            return
        st, _, _ = self.request("GET", monitor)
        if st not in (202, 204):
            self.fail(monitor, f"task monitor: status {st}")
        self.want_types.add("Task")

    # -- security (issue 5) -------------------------------------------------
    def login(self):
        """POST Sessions: 201, X-Auth-Token, Location of a Session."""
        uri = ROOT + "/SessionService/Sessions"
        st, h, data = self.request("POST", uri, body={"UserName": ADMIN,
                                                      "Password": PASSWORD})
        if st != 201 or not h.get("x-auth-token") or \
                not h.get("location", "").startswith(uri + "/"):
            self.fail(uri, f"login: {st} {h} {data[:300]!r}")
            return
        self.token = h["x-auth-token"]
        if PASSWORD.encode() in data or self.token.encode() in data:
            self.fail(uri, "login answer shows the password or token")
        self.validate("POST " + uri, json.loads(data), "Session.v1_8_0.json",
                      "Session")

    def check_security(self, log):
        """Anonymous requests get 401 with WWW-Authenticate; Basic works;
        neither the password nor the token is in the log or the audit
        entries."""
        token, self.token = self.token, None
        for uri in (ROOT + "/Fabrics", ROOT + "/AccountService/Accounts"):
            st, h, data = self.request("GET", uri)
            if st != 401 or h.get("www-authenticate") != \
                    'Basic realm="mrfabricd"':
                self.fail(uri, f"anonymous: {st} {h.get('www-authenticate')}")
            else:
                self.validate("GET " + uri, json.loads(data),
                              "redfish-error.v1_0_2.json", "RedfishError")
        basic = base64.b64encode(f"{ADMIN}:{PASSWORD}".encode()).decode()
        st, _, _ = self.request("GET", ROOT + "/Fabrics",
                                headers={"Authorization": "Basic " + basic})
        if st != 200:
            self.fail(ROOT + "/Fabrics", f"Basic: status {st}")
        self.token = token
        entries = ROOT + "/Managers/FabricManager/LogServices/Audit/Entries"
        st, _, data = self.request("GET", entries)
        if st != 200 or b"/SessionService/Sessions" not in data:
            self.fail(entries, f"status {st}, no login recorded")
        for secret in (PASSWORD, token or "no-token"):
            if secret.encode() in data:
                self.fail(entries, "a secret is in the audit entries")
            if any(secret in line for line in log):
                self.fail("mrfabricd", "a secret is in the log")

    # -- documents around the tree ----------------------------------------
    def check_registries(self):
        """Registry documents the service serves itself (a Location Uri
        of a MessageRegistryFile inside the tree, no @odata.id link):
        each validates against the MessageRegistry schema it names."""
        st, _, data = self.request("GET", ROOT + "/Registries")
        if st != 200:
            self.fail(ROOT + "/Registries", f"status {st}")
            return
        for m in json.loads(data).get("Members", []):
            st, _, data = self.request("GET", m["@odata.id"])
            locs = json.loads(data).get("Location", []) if st == 200 else []
            for loc in locs:
                uri = loc.get("Uri", "")
                if not uri.startswith(ROOT):
                    continue
                st, h, doc = self.request("GET", uri)
                if st != 200:
                    self.fail(uri, f"GET status {st}")
                    continue
                body = json.loads(doc)
                self.checked += 1
                odata_type = body.get("@odata.type")
                self.check_headers(uri, st, h, doc, odata_type)
                t = TYPE_RE.match(odata_type or "")
                if not t or not t.group(2):
                    self.fail(uri, f"@odata.type {odata_type!r}")
                    continue
                self.types.add(t.group(1) + t.group(2))
                self.validate(uri, body, f"{t.group(1)}{t.group(2)}.json",
                              t.group(3))

    def check_versions(self):
        st, _, data = self.request("GET", "/redfish")
        if st != 200 or json.loads(data) != {"v1": "/redfish/v1/"}:
            self.fail("/redfish", f"{st} {data[:200]!r}")

    def check_odata(self):
        uri = ROOT + "/odata"
        st, h, data = self.request("GET", uri)
        if st != 200:
            self.fail(uri, f"status {st}")
            return
        doc = json.loads(data)
        if doc.get("@odata.context") != ROOT + "/$metadata":
            self.fail(uri, "@odata.context")
        for e in doc.get("value", []):
            if e.get("kind") != "Singleton" or "name" not in e:
                self.fail(uri, f"entry {e}")
            target = e.get("url", "").rstrip("/")
            st, _, _ = self.request("GET", target)
            if st != 200 and not (st == 404 and target in PENDING):
                self.fail(uri, f"entry {e.get('name')}: {target}: {st}")

    def check_metadata(self):
        uri = ROOT + "/$metadata"
        st, h, data = self.request("GET", uri)
        if st != 200 or not h.get("content-type", "").startswith(
                "application/xml"):
            self.fail(uri, f"status {st}, {h.get('content-type')}")
            return
        try:
            root = ET.fromstring(data)
        except ET.ParseError as e:
            self.fail(uri, f"not XML: {e}")
            return
        edmx = "{http://docs.oasis-open.org/odata/ns/edmx}"
        included = set()
        for ref in root.iter(edmx + "Reference"):
            ref_uri = ref.get("Uri", "")
            names = [i.get("Namespace") for i in ref.iter(edmx + "Include")]
            included.update(names)
            if not ref_uri.startswith(SCHEMA_BASE):
                continue
            path = os.path.join(self.csdl_dir, ref_uri[len(SCHEMA_BASE):])
            try:
                with open(path, encoding="utf-8") as f:
                    csdl = f.read()
            except OSError:
                self.fail(uri, f"{ref_uri}: no such DMTF CSDL file")
                continue
            for n in names:
                if f'Namespace="{n}"' not in csdl:
                    self.fail(uri, f"{ref_uri} declares no {n}")
        for t in sorted(self.types):
            if t not in included:
                self.fail(uri, f"schema {t} served but not referenced")

    def check_errors(self):
        cases = [("GET", ROOT + "/NoSuchResource", 404),
                 ("PATCH", ROOT, 405)]
        for method, uri, want in cases:
            body = {"Name": "x"} if method == "PATCH" else None
            st, h, data = self.request(method, uri, body=body)
            if st != want:
                self.fail(uri, f"{method}: status {st}, want {want}")
                continue
            if h.get("odata-version") != "4.0":
                self.fail(uri, f"{method}: no OData-Version")
            if want == 405 and "GET" not in h.get("allow", ""):
                self.fail(uri, f"{method}: Allow {h.get('allow')!r}")
            self.validate(f"{method} {uri}", json.loads(data),
                          "redfish-error.v1_0_2.json", "RedfishError")


def start_daemon(args, workdir):
    cfg = os.path.join(workdir, "mrfabricd.json")
    pwfile = os.path.join(workdir, "admin-password")
    with open(pwfile, "w", encoding="utf-8") as f:
        f.write(PASSWORD + "\n")
    with open(cfg, "w", encoding="utf-8") as f:
        json.dump({"listen": {"address": "127.0.0.1", "port": 0},
                   "database": os.path.join(workdir, "state.db"),
                   "accounts": {"admin_user": ADMIN,
                                "admin_password_file": pwfile}}, f)
    proc = subprocess.Popen(
        [args.daemon, "--sim", args.chassis, "--config", cfg],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    log = []
    found = threading.Event()
    port = []

    def reader():
        for line in proc.stderr:
            log.append(line)
            m = re.search(r"listening on https://127\.0\.0\.1:(\d+)/", line)
            if m and not port:
                port.append(int(m.group(1)))
                found.set()
        found.set()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    found.wait(120)
    if not port:
        proc.kill()
        proc.wait()
        sys.exit("mrfabricd did not start:\n" + "".join(log))
    return proc, port[0], log, t


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--daemon", required=True)
    ap.add_argument("--chassis", required=True)
    ap.add_argument("--redfish", required=True,
                    help="DMTF data: json-schema/, csdl/")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="mrfabricd-contract-") as wd:
        proc, port, log, reader = start_daemon(args, wd)
        c = Contract(port, args.redfish,
                     os.path.join(wd, "mrfabricd-cert.pem"))
        try:
            c.check_versions()
            c.login()
            c.start_changes()
            c.walk()
            c.check_registries()
            c.check_odata()
            c.check_metadata()
            c.check_errors()
            c.check_security(log)
            met = {re.sub(r"\.v\d+_\d+_\d+$", "", t) for t in c.types}
            for t in sorted(c.want_types - met):
                c.fail(ROOT, f"the walk met no {t} resource")
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                status = proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                status = proc.wait()
            reader.join(10)
        if status != 0:
            c.fail("mrfabricd", f"exit status {status} after SIGTERM:\n"
                                + "".join(log[-40:]))

    for p in c.pending:
        print(f"pending: {p}")
    for f in c.failures:
        print(f"FAIL {f}")
    print(f"{c.checked} resources checked, {len(c.types)} schemas, "
          f"{len(c.pending)} pending, {len(c.failures)} failures")
    return 1 if c.failures or c.checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
