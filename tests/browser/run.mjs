// Xiaobao in a real browser: starts `xiaobao serve --demo` on a free port over a temporary data
// directory, then drives Debian's headless Chromium through a teller's and an outlet head's day.
// Screenshots go to test-artifacts/. Prints "N passed, N failed" and exits non-zero on a failure.
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import net from "node:net";

const root = resolve(import.meta.dirname, "../..");
const binary = process.env.XIAOBAO_BIN || join(root, "target/debug/xiaobao");
const artifacts = join(root, "test-artifacts");
mkdirSync(artifacts, { recursive: true });
const PASSWORD = "xiaobao2026";

function freePort() {
  return new Promise((ok) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => ok(p)); });
  });
}

async function startServer() {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "xiaobao-browser-"));
  const server = spawn(binary, ["serve", "--demo", "--data-dir", dataDir, "--listen", `127.0.0.1:${port}`], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, XIAOBAO_LOG: "warn" },
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) return { base, server, dataDir }; } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  server.kill();
  throw new Error("the server did not come up");
}

const results = [];
async function test(name, fn) {
  try { await fn(); results.push([name, true]); console.log(`PASS ${name}`); }
  catch (e) { results.push([name, false]); console.log(`FAIL ${name}\n${e.stack || e}`); }
}

const { base, server, dataDir } = await startServer();
let browser;
try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
} catch (e) {
  // never leave the server behind
  server.kill();
  rmSync(dataDir, { recursive: true, force: true });
  throw e;
}

// the staff's browsers speak Chinese: pages follow Accept-Language until the user switches
async function loggedIn(username, locale = "zh-CN") {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill("#username", username);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(`${base}/`), page.click("#login")]);
  return { context, page };
}

// every story file in stories/, in name order; each gets the shared harness
const stories = readdirSync(join(import.meta.dirname, "stories")).filter((f) => f.endsWith(".mjs")).sort();
const only = process.env.STORIES ? new RegExp(process.env.STORIES) : null;
try {
  for (const file of stories) {
    if (only && !only.test(file)) continue;
    const story = await import(join(import.meta.dirname, "stories", file));
    await story.default({ test, loggedIn, base, artifacts, browser, PASSWORD });
  }
} finally {
  await browser.close();
  // the server writes its last checkpoint as it stops: wait for it before removing its directory
  const exited = server.exitCode !== null || server.signalCode !== null
    ? Promise.resolve()
    : new Promise((ok) => server.once("exit", ok));
  server.kill();
  await Promise.race([exited, new Promise((ok) => setTimeout(ok, 10000))]);
  rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
const passed = results.filter(([, ok]) => ok).length;
const failed = results.length - passed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
