#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`cmake --install` into a temporary prefix installs exactly the
binaries, schemas, examples, default config and systemd unit, and what it
installed works: the binaries run, the configs validate against the
installed schema, the unit points at the installed daemon and passes
`systemd-analyze verify` where systemd is present."""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import jsonschema  # python3-jsonschema

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"FAIL: {what}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    args = ap.parse_args()
    src = os.path.abspath(args.source)

    with tempfile.TemporaryDirectory(prefix="mrfabric-install-") as tmp:
        prefix = os.path.join(tmp, "usr")
        p = subprocess.run(["cmake", "--install", args.build, "--prefix",
                            prefix], capture_output=True, text=True)
        check(p.returncode == 0, f"cmake --install: {p.stderr}")

        want = {"bin/mrfabricd", "bin/mrfabric-sim", "bin/mrfabricctl",
                "share/mrfabric/mrfabricd.json",
                "lib/systemd/system/mrfabricd.service",
                "share/man/man1/mrfabricctl.1"}
        want |= {"share/mrfabric/schemas/" + os.path.basename(f)
                 for f in glob.glob(os.path.join(src, "schemas/*.json"))}
        want |= {"share/mrfabric/examples/" + os.path.basename(f)
                 for f in glob.glob(os.path.join(src, "examples/*.json"))}
        got = set()
        for root, _, files in os.walk(prefix):
            for f in files:
                got.add(os.path.relpath(os.path.join(root, f), prefix))
        check(got == want, f"installed files: missing {sorted(want - got)},"
                           f" unexpected {sorted(got - want)}")

        for b in ("mrfabricd", "mrfabric-sim", "mrfabricctl"):
            exe = os.path.join(prefix, "bin", b)
            r = subprocess.run([exe, "--version"], capture_output=True,
                               text=True)
            check(r.returncode == 0 and b in r.stdout,
                  f"{b} --version: {r.returncode} {r.stdout!r}")

        schema = os.path.join(prefix, "share/mrfabric/schemas/"
                                      "mrfabricd.schema.json")
        with open(schema, encoding="utf-8") as f:
            s = json.load(f)
        for cfg in ("share/mrfabric/mrfabricd.json",
                    "share/mrfabric/examples/mrfabricd.json"):
            with open(os.path.join(prefix, cfg), encoding="utf-8") as f:
                doc = json.load(f)
            try:
                jsonschema.validate(doc, s)
            except jsonschema.ValidationError as e:
                check(False, f"{cfg}: {e.message}")

        # the installed daemon starts with the unit's default config (its
        # database moved here) on the installed example chassis
        with open(os.path.join(prefix, "share/mrfabric/mrfabricd.json"),
                  encoding="utf-8") as f:
            doc = json.load(f)
        doc["database"] = os.path.join(tmp, "state.db")
        cfg = os.path.join(tmp, "mrfabricd.json")
        with open(cfg, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        d = subprocess.Popen(
            [os.path.join(prefix, "bin/mrfabricd"), "--sim",
             os.path.join(prefix, "share/mrfabric/examples/"
                                  "chassis-small.json"),
             "--config", cfg, "--listen", "127.0.0.1:0", "--speed", "0"],
            cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True)
        log = []
        for line in d.stderr:
            log.append(line)
            if "listening on " in line:
                break
        d.terminate()
        log += d.stderr.readlines()
        st = d.wait(60)
        d.stderr.close()
        check(any("listening on https://127.0.0.1:" in ln for ln in log),
              "installed daemon with the default config: " + "".join(log))
        check(st == 0, f"installed daemon exit status {st}")

        groff = shutil.which("groff")
        if groff:
            r = subprocess.run([groff, "-man", "-ww", "-z", os.path.join(
                prefix, "share/man/man1/mrfabricctl.1")],
                capture_output=True, text=True)
            check(r.returncode == 0 and not r.stderr,
                  f"mrfabricctl.1: groff: {r.stderr}")

        unit = os.path.join(prefix, "lib/systemd/system/mrfabricd.service")
        with open(unit, encoding="utf-8") as f:
            text = f.read()
        check(not re.search(r"@[A-Z_]+@", text),
              "unit has an unconfigured @VAR@")
        check(f"ExecStart={prefix}/bin/mrfabricd --config " in text,
              "unit ExecStart is not the installed daemon")
        check(f"{prefix}/share/mrfabric/examples/chassis-small.json" in
              text, "unit does not run the installed example chassis")
        for key in ("StateDirectory=mrfabricd", "ConfigurationDirectory=",
                    "Restart=on-failure", "NoNewPrivileges=yes",
                    "ProtectSystem=strict", "ProtectHome=yes",
                    "PrivateTmp=yes", "ReadWritePaths=/var/lib/mrfabricd"):
            check(key in text, f"unit lacks {key}")
        sa = shutil.which("systemd-analyze")
        if sa:
            r = subprocess.run([sa, "verify", unit], capture_output=True,
                               text=True)
            # verify also checks that ExecStart exists: it does, here
            errs = [ln for ln in r.stderr.splitlines()
                    if "mrfabricd.service" in ln]
            check(not errs, "systemd-analyze verify: " + "\n".join(errs))

    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)
    print("install tree OK")


if __name__ == "__main__":
    main()
