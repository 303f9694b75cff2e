// End-to-end test of the web console (issue 7 point 5): mrfabricd on the
// embedded simulator, driven through Debian's headless chromium with
// playwright-core.
//
//   node e2e.mjs --daemon BUILD/mrfabricd --chassis examples/chassis-small.json
//                --out BUILD --modules DIR_WITH_node_modules
//
// Steps: bind a VF through the REST API; log in through the page; move
// the VF to the other blade with the keyboard and watch the task end
// Completed; check through the REST API that its zone changed; move it
// back by drag and drop; bind and unbind a free VF through the page; see
// a change made behind the page's back arrive over the event stream;
// save a screenshot; log out (the session is gone); log in as a ReadOnly
// user, whose move attempt shows a 403 message and changes nothing.
// Every request the page makes stays on the daemon's origin, and no
// script error or Content-Security-Policy violation happens.
//
// Exit 0 when every check holds, 1 otherwise (with the reason).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    daemon: { type: "string" },
    chassis: { type: "string" },
    out: { type: "string" },
    modules: { type: "string" },
    chromium: { type: "string", default: "/usr/bin/chromium" },
  },
});
for (const a of ["daemon", "chassis", "out", "modules"]) {
  if (!args[a]) {
    console.error(`usage: node e2e.mjs --daemon F --chassis F --out DIR --modules DIR (missing --${a})`);
    process.exit(2);
  }
}
const require = createRequire(path.join(path.resolve(args.modules), "package.json"));
const { chromium } = require("playwright-core");

const ADMIN = "admin";
const ADMIN_PW = "Admin-e2e-Passw0rd";
const VIEWER = "viewer";
const VIEWER_PW = "Viewer-e2e-Passw0rd";
const EP = "/redfish/v1/Fabrics/PCIe/Endpoints/";
const ZONE = "/redfish/v1/Fabrics/PCIe/Zones/";
const STEP_MS = 15000;

let failures = 0;
function check(cond, what) {
  if (cond) {
    console.log("ok   " + what);
  } else {
    console.log("FAIL " + what);
    failures++;
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------
// The daemon

function startDaemon(dir) {
  const pw = path.join(dir, "admin-password");
  const cfg = path.join(dir, "mrfabricd.json");
  writeFileSync(pw, ADMIN_PW + "\n");
  writeFileSync(cfg, JSON.stringify({ database: path.join(dir, "state.db") }));
  const proc = spawn(args.daemon, [
    "--sim", args.chassis, "--config", cfg, "--speed", "20", "--plain-http",
    "--listen", "127.0.0.1:0", "--admin-user", ADMIN, "--admin-password-file", pw,
  ], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("mrfabricd did not start:\n" + log)), 30000);
    proc.stderr.setEncoding("utf8");
    proc.stderr.on("data", (d) => {
      log += d;
      const m = log.match(/listening on http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, port: Number(m[1]), log: () => log });
      }
    });
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`mrfabricd exited (${code}):\n` + log));
    });
  });
}

// A TCP relay in front of the daemon: the browser talks through it, so
// the test can drop the browser's connections like a network failure
// (down(true): cut every open one and refuse new ones; down(false): heal).
function startRelay(port) {
  const open = new Set();
  let refusing = false;
  const srv = net.createServer((c) => {
    if (refusing) {
      c.destroy();
      return;
    }
    const u = net.connect(port, "127.0.0.1");
    const end = () => {
      c.destroy();
      u.destroy();
      open.delete(c);
    };
    c.on("error", end).on("close", end);
    u.on("error", end).on("close", end);
    c.pipe(u);
    u.pipe(c);
    open.add(c);
  });
  return new Promise((resolve) => srv.listen(0, "127.0.0.1", () => resolve({
    port: srv.address().port,
    down(on) {
      refusing = on;
      if (on) for (const c of open) c.destroy();
    },
    close() {
      for (const c of open) c.destroy();
      srv.close();
    },
  })));
}

// ---------------------------------------------------------------------
// REST, from node, with Basic authentication

let base = "";
const basic = (u, p) => "Basic " + Buffer.from(u + ":" + p).toString("base64");

async function rest(method, uri, body, user = ADMIN, pw = ADMIN_PW) {
  const headers = { Authorization: basic(user, pw) };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(base + uri, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, headers: r.headers, json: text ? JSON.parse(text) : null };
}

// The zone URI of endpoint @id, null when it is in none.
async function zoneOf(id) {
  const r = await rest("GET", EP + id);
  if (r.status !== 200) throw new Error(`GET ${EP + id}: ${r.status}`);
  const z = (r.json.Links.Zones || [])[0];
  return z ? z["@odata.id"] : null;
}

async function waitTaskEnd(monitor) {
  for (let i = 0; i < 200; i++) {
    const r = await rest("GET", monitor);
    if (r.status !== 202) return r.status;
    await sleep(50);
  }
  throw new Error("task " + monitor + " did not end");
}

// ---------------------------------------------------------------------
// The page

const vf = (id) => `.vf[data-ep="${id}"]`;

async function login(page, user, pw) {
  await page.fill("#login-user", user);
  await page.fill("#login-password", pw);
  await page.press("#login-password", "Enter");
  await page.waitForSelector("#console:not([hidden])", { timeout: STEP_MS });
}

// Wait until the task line of the action @what ("Move F-0-2-1 to Blade
// 1") says it ended, and give the line back.
async function waitTask(page, what) {
  await page.waitForFunction((w) => {
    const t = document.getElementById("task-status").textContent;
    return t.startsWith(w) && /: (Completed|Exception|Killed|Cancelled|refused)/.test(t);
  }, what, { timeout: STEP_MS });
  return page.textContent("#task-status");
}

// Wait until no VF is in the middle of a change and the page is quiet.
async function waitSettled(page) {
  await page.waitForFunction(() => !document.querySelector(".vf.busy"), null, { timeout: STEP_MS });
  await sleep(500);
}

async function waitOwner(page, id, owner) {
  await page.waitForSelector(`${vf(id)}[data-owner="${owner}"]`, { timeout: STEP_MS });
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), "mrfabric-ui-e2e-"));
  let daemon = null;
  let browser = null;
  let relay = null;
  try {
    daemon = await startDaemon(dir);
    base = `http://127.0.0.1:${daemon.port}`;
    relay = await startRelay(daemon.port);
    const ui = `http://127.0.0.1:${relay.port}`;
    console.log("mrfabricd at " + base + ", the browser goes through " + ui);

    // the console itself: served without authentication, with its
    // security headers and content types
    const idx = await fetch(base + "/ui/");
    check(idx.status === 200 && idx.headers.get("content-type").startsWith("text/html"),
      "GET /ui/ answers the page as text/html without credentials");
    check(idx.headers.get("content-security-policy") === "default-src 'self'" &&
      idx.headers.get("x-content-type-options") === "nosniff" &&
      idx.headers.get("x-frame-options") === "DENY",
    "the page carries CSP default-src 'self', nosniff and X-Frame-Options DENY");
    const js = await fetch(base + "/ui/app.js");
    check(js.status === 200 && js.headers.get("content-type").startsWith("text/javascript"),
      "GET /ui/app.js answers text/javascript");
    check((await fetch(base + "/ui/missing.js")).status === 404, "an unknown console file is 404");
    check((await fetch(base + "/redfish/v1/Systems")).status === 401,
      "the data the page shows needs authentication");

    // set-up through the REST API: F-0-2-1 on Blade-0, a ReadOnly user
    let r = await rest("POST", ZONE + "Zone-0/Actions/Zone.AddEndpoint",
      { Endpoint: { "@odata.id": EP + "F-0-2-1" } });
    check(r.status === 204, "REST: F-0-2-1 bound to Zone-0 (" + r.status + ")");
    r = await rest("POST", "/redfish/v1/AccountService/Accounts",
      { UserName: VIEWER, Password: VIEWER_PW, RoleId: "ReadOnly" });
    check(r.status === 201, "REST: ReadOnly account created (" + r.status + ")");

    browser = await chromium.launch({
      executablePath: args.chromium,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    const problems = [];
    const foreign = [];
    page.on("pageerror", (e) => problems.push("script error: " + e.message));
    page.on("console", (m) => {
      if (m.type() === "error" && /Content.Security.Policy|Refused to/i.test(m.text()))
        problems.push("CSP: " + m.text());
    });
    page.on("request", (q) => {
      if (!q.url().startsWith(ui + "/")) foreign.push(q.url());
    });

    await page.goto(ui + "/ui/");
    await login(page, ADMIN, ADMIN_PW);
    check(true, "logged in through the page as " + ADMIN);
    await waitOwner(page, "F-0-2-1", "Blade-0");
    check(true, "the page shows F-0-2-1 owned by Blade-0");
    const ports = await page.$$eval(".port", (ps) => ps.map((p) => p.dataset.link));
    const want = [];
    for (let i = 0; i < 4; i++)
      want.push((await rest("GET", "/redfish/v1/Fabrics/PCIe/Switches/0/Ports/" + i)).json.LinkStatus);
    check(ports.join(",") === want.join(","),
      "the switch shows its 4 ports with the link state REST gives: " + ports.join(","));
    const free = await page.$$eval(".vf.free[data-ep]", (v) => v.length);
    check(free === 7, "7 free VFs drawn as free (" + free + ")");
    const blade0 = await page.textContent('.blade[data-blade="Blade-0"]');
    check(blade0.includes("F-0-2-1"), "Blade-0's view lists F-0-2-1");

    // move with the keyboard: select the VF, choose the blade, press Move
    await page.focus(vf("F-0-2-1"));
    await page.keyboard.press("Enter");
    check((await page.getAttribute(vf("F-0-2-1"), "aria-pressed")) === "true",
      "Enter on a VF selects it");
    await page.focus("#target-blade");
    await page.selectOption("#target-blade", "Blade-1");
    await page.focus("#move-btn");
    await page.keyboard.press("Enter");
    let t = await waitTask(page, "Move F-0-2-1 to Blade 1");
    check(/Move F-0-2-1 to Blade 1 \(task \d+\): Completed/.test(t), "the page shows the move's task Completed: " + t);
    const phases = await page.$$eval("#task-phases li", (l) => l.map((x) => x.textContent));
    check(phases.length >= 1 && phases.some((p) => p.startsWith("removing")),
      "the page listed the task's phases: " + phases.join(" / "));
    check((await page.getAttribute("#task", "aria-live")) === "polite", "task progress is aria-live");
    check((await zoneOf("F-0-2-1")) === ZONE + "Zone-1", "REST: F-0-2-1 is now in Zone-1");
    await waitOwner(page, "F-0-2-1", "Blade-1");
    check(true, "the page redrew F-0-2-1 as Blade-1's");

    const shot = path.join(path.resolve(args.out), "ui-console.png");
    await page.screenshot({ path: shot, fullPage: true });
    console.log("screenshot: " + shot);

    // move back by drag and drop
    await waitSettled(page);
    await page.dragAndDrop(vf("F-0-2-1"), '.blade[data-blade="Blade-0"]');
    t = await waitTask(page, "Move F-0-2-1 to Blade 0");
    check(/Move F-0-2-1 to Blade 0 \(task \d+\): Completed/.test(t), "drag and drop moved it back: " + t);
    check((await zoneOf("F-0-2-1")) === ZONE + "Zone-0", "REST: F-0-2-1 is in Zone-0 again");

    // bind a free VF with the Bind button, then unbind it
    await page.click(vf("F-0-2-2"));
    await page.selectOption("#target-blade", "Blade-1");
    await page.click("#bind-btn");
    t = await waitTask(page, "Bind F-0-2-2 to Blade 1");
    check(t.endsWith(": Completed"), "the page bound F-0-2-2: " + t);
    check((await zoneOf("F-0-2-2")) === ZONE + "Zone-1", "REST: F-0-2-2 is in Zone-1");
    await waitOwner(page, "F-0-2-2", "Blade-1");
    await page.click(vf("F-0-2-2"));
    await page.click("#unbind-btn");
    t = await waitTask(page, "Unbind F-0-2-2 from Blade 1");
    check(/: Completed, phase done, 100%$/.test(t), "the page unbound F-0-2-2: " + t);
    check((await zoneOf("F-0-2-2")) === null, "REST: F-0-2-2 is in no zone");
    await waitOwner(page, "F-0-2-2", "");

    // 409: a move of a VF whose removal is still running is refused,
    // the page says so, and nothing changes
    r = await rest("POST", ZONE + "Zone-0/Actions/Zone.AddEndpoint",
      { Endpoint: { "@odata.id": EP + "F-0-2-6" } });
    check(r.status === 204, "REST: F-0-2-6 bound to Zone-0 (" + r.status + ")");
    await waitOwner(page, "F-0-2-6", "Blade-0");
    await page.click(vf("F-0-2-6"));
    await page.selectOption("#target-blade", "Blade-1");
    // a removal that waits for the host to drop the link: it runs for a
    // while (until the firmware gives up), and the VF is busy meanwhile
    r = await rest("POST", ZONE + "Zone-0/Actions/Zone.RemoveEndpoint",
      { Endpoint: { "@odata.id": EP + "F-0-2-6" }, Oem: { MrFabric: { Mode: "WaitLinkDown" } } });
    check(r.status === 202, "REST: a slow removal of F-0-2-6 runs (" + r.status + ")");
    await page.click("#move-btn");
    await page.waitForFunction(() => document.getElementById("message").textContent.includes("409"),
      null, { timeout: STEP_MS });
    t = await page.textContent("#message");
    check(/Refused \(409\): another move is running or this VF is busy/.test(t), "the page shows the 409: " + t);
    await waitTaskEnd(r.headers.get("location"));
    check((await zoneOf("F-0-2-6")) !== ZONE + "Zone-1", "REST: the refused move changed nothing");

    // a change behind the page's back arrives over the event stream
    r = await rest("POST", ZONE + "Zone-1/Actions/Zone.AddEndpoint",
      { Endpoint: { "@odata.id": EP + "F-0-2-3" } });
    check(r.status === 204, "REST: F-0-2-3 bound to Zone-1 (" + r.status + ")");
    await waitOwner(page, "F-0-2-3", "Blade-1");
    check(true, "the page showed F-0-2-3 on Blade-1 from the event stream, no reload");

    // a dropped stream: the page says so, reconnects with Last-Event-ID
    // and catches up on what it missed
    relay.down(true);
    await page.waitForFunction(() => document.getElementById("live-state").textContent === "reconnecting",
      null, { timeout: STEP_MS });
    check(true, "the page shows the event stream dropped");
    r = await rest("POST", ZONE + "Zone-1/Actions/Zone.RemoveEndpoint",
      { Endpoint: { "@odata.id": EP + "F-0-2-3" } });
    check(r.status === 202 && (await waitTaskEnd(r.headers.get("location"))) === 204,
      "REST: F-0-2-3 unbound while the page is cut off");
    check((await page.getAttribute(vf("F-0-2-3"), "data-owner")) === "Blade-1",
      "cut off, the page still shows the old owner");
    relay.down(false);
    await waitOwner(page, "F-0-2-3", "");
    await page.waitForFunction(() => document.getElementById("live-state").textContent === "live",
      null, { timeout: STEP_MS });
    check(true, "connections healed, the page reconnected and shows F-0-2-3 free");

    // log out: the session ends on the service too
    const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem("mrfabric.session")).token);
    await page.click("#logout");
    await page.waitForSelector("#login:not([hidden])", { timeout: STEP_MS });
    const after = await fetch(base + "/redfish/v1/Systems", { headers: { "X-Auth-Token": token } });
    check(after.status === 401, "after logout the old token is refused (" + after.status + ")");

    // a ReadOnly user sees everything and changes nothing
    await login(page, VIEWER, VIEWER_PW);
    await waitOwner(page, "F-0-2-1", "Blade-0");
    check(true, "the ReadOnly user sees F-0-2-1 on Blade-0");
    await page.click(vf("F-0-2-1"));
    await page.selectOption("#target-blade", "Blade-1");
    await page.click("#move-btn");
    await page.waitForFunction(() => document.getElementById("message").textContent.includes("403"),
      null, { timeout: STEP_MS });
    const msg = await page.textContent("#message");
    check(/Not allowed \(403\)/.test(msg), "the ReadOnly move shows a 403 message: " + msg);
    await page.click(vf("F-0-2-4"));
    await page.click("#bind-btn");
    await page.waitForFunction(() => document.getElementById("message").textContent.includes("403"),
      null, { timeout: STEP_MS });
    await sleep(300);
    check((await zoneOf("F-0-2-1")) === ZONE + "Zone-0", "REST: the refused move changed nothing");
    check((await zoneOf("F-0-2-4")) === null, "REST: the refused bind changed nothing");

    check(problems.length === 0, "no script error or CSP violation" + (problems.length ? ": " + problems.join("; ") : ""));
    check(foreign.length === 0, "every request stayed on the daemon" + (foreign.length ? ": " + foreign.join(", ") : ""));
  } catch (e) {
    failures++;
    throw e;
  } finally {
    if (browser) await browser.close();
    if (relay) relay.close();
    if (daemon) {
      if (failures) console.log("mrfabricd log (end):\n" + daemon.log().split("\n").slice(-30).join("\n"));
      daemon.proc.kill("SIGTERM");
      await new Promise((res) => {
        if (daemon.proc.exitCode !== null) res();
        else daemon.proc.on("exit", res);
      });
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const started = Date.now();
main().then(() => {
  console.log(`${failures ? "FAILED" : "passed"}: ${failures} failure(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(failures ? 1 : 0);
}, (e) => {
  console.log("FAIL " + (e.stack || e));
  process.exit(1);
});
