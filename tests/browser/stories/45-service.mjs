// The service department reads the service measures (figures, charts, the day × hour heat map) and
// drills into an outlet; the outlet head writes the improvement agreed with a teller on the month's
// satisfaction sheet; the page in English on a phone. Ratings and tickets are sent first, as the
// outlet's evaluator and queue system would, with integration tokens.
import assert from "node:assert/strict";
import { join } from "node:path";

export default async function ({ test, loggedIn, base, artifacts, browser, PASSWORD }) {
  const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
  const now = new Date();
  const month = new Date(now.getTime() + 8 * 3600e3).toISOString().slice(0, 7);
  const day = new Date(now.getTime() + 8 * 3600e3).toISOString().slice(0, 10);

  async function api(token, method, path, body) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text);
  }

  await test("ratings and tickets arrive from the outlet's devices", async () => {
    const login = await (await fetch(`${base}/api/v1/session`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: PASSWORD }),
    })).json();
    const ev = await api(login.token, "POST", "/api/v1/integrations", { kind: "evaluator", name: "柜面评价器", org_unit: "BJ0101" });
    const queue = await api(login.token, "POST", "/api/v1/integrations", { kind: "queue", name: "排队叫号", org_unit: "BJ0101" });
    const scores = [5, 5, 4, 2, 5, 1, 4, 5, 3, 2];
    // just before now: never in the future, whatever the hour the tests run at
    const at = (i) => new Date(now.getTime() - (i + 1) * 120e3).toISOString();
    const ratings = scores.map((score, i) => ({
      device: "STORY-EV", seq: i + 1, outlet: "BJ0101", teller: "bj0101.teller", rated_at: at(i), score,
      reason: score <= 2 ? "01" : undefined,
    }));
    const r = await api(ev.token, "POST", "/api/v1/ratings", { ratings });
    assert.equal(r.accepted, scores.length, JSON.stringify(r));
    const tickets = [5, 25, 12, 40, 8].map((wait, i) => ({
      outlet: "BJ0101", number: `S${i + 1}`, business: "personal", teller: "bj0101.teller",
      taken_at: new Date(now.getTime() - (50 - i) * 60e3).toISOString(),
      called_at: new Date(now.getTime() - (50 - i - wait) * 60e3).toISOString(),
    }));
    const q = await api(queue.token, "POST", "/api/v1/queue-tickets", { tickets });
    assert.equal(q.accepted, tickets.length, JSON.stringify(q));
  });

  await test("the service department reads the figures, the charts and the heat map, and drills into an outlet", async () => {
    const svc = await loggedIn("bj.service");
    await svc.page.click("#nav-service");
    await svc.page.goto(`${base}/service?org_unit=BJ01&from=${month}-01&to=${day}&by=unit`);
    assert.match(await svc.page.textContent("#svc-rate"), /柜面服务满意率/);
    // the demo's year and the ratings just sent: the page says what the API says
    const session = await (await fetch(`${base}/api/v1/session`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "bj.service", password: PASSWORD }),
    })).json();
    const m = await api(session.token, "GET", `/api/v1/service-measures?org_unit=BJ01&from=${month}-01&to=${day}`);
    assert.ok(m.figures.ratings >= 10);
    assert.ok((await svc.page.textContent("#svc-rate")).includes(m.figures.counter_satisfaction_rate.display));
    for (const id of ["#score-chart", "#service-rates-chart", "#heat-map"]) {
      assert.equal(await svc.page.getAttribute(id, "role"), "img", id);
    }
    assert.ok(await svc.page.locator("#heat-map .cell").count() >= 1, "the heat map has its cells");
    await svc.page.screenshot({ path: join(artifacts, "service-measures.png"), fullPage: true });
    await Promise.all([svc.page.waitForURL(/org_unit=BJ0101/), svc.page.click("#service-breakdown tr[data-key=BJ0101] a")]);
    assert.match(await svc.page.textContent("#service-breakdown"), /bj0101\.teller|柜员/);
    await svc.page.screenshot({ path: join(artifacts, "service-outlet.png"), fullPage: true });
    await svc.context.close();
  });

  await test("the outlet head writes the agreed improvement on the satisfaction sheet", async () => {
    const head = await loggedIn("bj0101.head");
    await head.page.goto(`${base}/service/sheet?org_unit=BJ0101&month=${month}`);
    assert.match(await head.page.textContent("#sheet-title"), /网点柜员服务客户满意度评价表/);
    await head.page.fill("#note-bj0101\\.teller-text", "高峰时段提前开放弹性窗口，每周学习一次业务手册");
    await Promise.all([head.page.waitForURL(/saved=/), head.page.click("#note-bj0101\\.teller button")]);
    assert.match(await head.page.textContent("#notice"), /已保存/);
    assert.match(await head.page.textContent("#sheet"), /高峰时段提前开放弹性窗口/);
    await head.page.screenshot({ path: join(artifacts, "service-sheet.png"), fullPage: true });
    await head.context.close();
  });

  await test("the service measures in English on a phone", async () => {
    const ctx = await browser.newContext({ ...phone, locale: "en-US" });
    const page = await ctx.newPage();
    await page.goto(`${base}/login`);
    await page.fill("#username", "bj0101.head");
    await page.fill("#password", PASSWORD);
    await Promise.all([page.waitForURL(`${base}/`), page.click("#login")]);
    await page.goto(`${base}/service?from=${month}-01&to=${day}`);
    assert.match(await page.textContent("#svc-rate"), /Counter satisfaction rate/);
    await page.screenshot({ path: join(artifacts, "service-phone-en.png"), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.screen.width);
    assert.ok(overflow <= 1, `no sideways scrolling on a phone (${overflow}px)`);
    await ctx.close();
  });
}
