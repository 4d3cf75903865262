// The consumer-protection centre's batch work: one decision for a hot issue's orders asks first with
// the count of orders and units (the browser's dialog; without JavaScript a step of its own) and shows
// the outcome at the top; the statistics import lists every bad row at once and, before replacing
// figures entered before, shows them old → new to be confirmed. Desktop and phone, both languages.
import assert from "node:assert/strict";
import { join } from "node:path";

export default async function ({ test, loggedIn, base, artifacts, browser, PASSWORD }) {
  const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
  const api = async (token, method, path, body, type = "application/json") => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { "content-type": type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : type === "application/json" ? JSON.stringify(body) : body,
    });
    const json = await res.json().catch(() => null);
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const login = async (username) => (await api(null, "POST", "/api/v1/session", { username, password: PASSWORD })).token;
  const cpc = await login("cpc");
  const heads = { BJ0101: await login("bj0101.head"), BJ0102: await login("bj0102.head") };
  let phoneNo = 13700000100;
  const order = async (unit, handled) => {
    const k = await api(cpc, "POST", "/api/v1/complaints", {
      channel: "hotline",
      org_unit: unit,
      complainant: { name: "王芳", phone: String(phoneNo++) },
      category: "0302",
      summary: "信用卡年费争议",
      description: "办卡时承诺免年费，现被收取信用卡年费 300 元。",
    });
    if (handled) {
      await api(heads[unit], "POST", `/api/v1/complaints/${k.id}/accept`, {});
      await api(heads[unit], "POST", `/api/v1/complaints/${k.id}/respond`, { text: "已致电客户说明处理安排" });
    }
    return k;
  };
  const issue = async (title, orders) =>
    (await api(cpc, "POST", "/api/v1/hot-issues", { title, complaints: orders.map((k) => k.id) })).id;

  // two orders being handled at two outlets, and one still waiting to be accepted
  const first = [await order("BJ0101", true), await order("BJ0102", true), await order("BJ0101", false)];
  const firstIssue = await issue("信用卡年费争议（一）", first);
  const second = [await order("BJ0101", true), await order("BJ0102", false)];
  const secondIssue = await issue("信用卡年费争议（二）", second);

  await test("zh desktop: the batch decision asks with the count of orders and units, then shows the outcome first", async () => {
    const { context, page } = await loggedIn("cpc");
    const asked = [];
    page.on("dialog", async (d) => { asked.push(d.message()); await d.accept(); });
    await page.goto(`${base}/hot-issues/${firstIssue}`);
    assert.match(await page.textContent("#decide-card h2"), /2 笔工单（2 个机构）/);
    await page.screenshot({ path: join(artifacts, "centre-batch-form.png"), fullPage: true });
    await page.fill("#decide-text", "经核实，办卡时确有免年费承诺，退还年费并致歉。");
    await Promise.all([page.waitForSelector("#outcome"), page.click("#action-decide button[type=submit]")]);
    assert.equal(asked.length, 1, "asked once");
    assert.match(asked[0], /将对 2 笔工单（2 个机构）/);
    assert.equal(await page.locator("#confirm-batch").count(), 0, "no second confirmation after the dialog");
    const outcome = await page.textContent("#outcome h2");
    assert.match(outcome, /已对 2 笔工单（2 个机构）作出决定，1 笔未作决定/);
    const top = await page.evaluate(() => document.querySelector("#outcome").getBoundingClientRect().top
      < document.querySelector("#issue-title").getBoundingClientRect().top);
    assert.ok(top, "the outcome comes first");
    const refused = page.locator(`#refused li[data-id="${first[2].id}"] a`);
    assert.equal(await refused.getAttribute("href"), `/complaints/${first[2].id}`);
    assert.equal(await refused.textContent(), first[2].number);
    await page.screenshot({ path: join(artifacts, "centre-batch-outcome.png"), fullPage: true });
    await context.close();
  });

  await test("en phone without JavaScript: the server asks on a step of its own, and decides only when confirmed", async () => {
    const context = await browser.newContext({ ...phone, locale: "en-US", javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill("#username", "cpc");
    await page.fill("#password", PASSWORD);
    await Promise.all([page.waitForURL(`${base}/`), page.click("#login")]);
    await page.goto(`${base}/hot-issues/${secondIssue}`);
    await page.fill("#decide-text", "Refund of the annual fee, with an apology.");
    await Promise.all([page.waitForSelector("#confirm-batch"), page.click("#action-decide button[type=submit]")]);
    assert.match(await page.textContent("#confirm-batch h2"), /Decide now\? Orders: 1, units: 1/);
    assert.equal(await page.locator("#confirm-orders li").count(), 1);
    await page.screenshot({ path: join(artifacts, "centre-batch-confirm-en-phone.png"), fullPage: true });
    const still = await api(cpc, "GET", `/api/v1/complaints/${second[0].id}`);
    assert.equal(still.state, "in_progress", "nothing decided before confirming");
    await Promise.all([page.waitForSelector("#outcome"), page.click("#confirm-form button[type=submit]")]);
    assert.match(await page.textContent("#outcome h2"), /Decided: 1 \(units: 1\); not decided: 1/);
    const after = await api(cpc, "GET", `/api/v1/complaints/${second[0].id}`);
    assert.equal(after.state, "decided");
    await page.screenshot({ path: join(artifacts, "centre-batch-outcome-en-phone.png"), fullPage: true });
    await context.close();
  });

  // figures entered before for March
  await api(cpc, "POST", "/api/v1/period-stats/import", "BJ0101,2025-03,20000,400000\nBJ0102,2025-03,10000,100000\n", "text/csv");
  const upload = (page, name, text) =>
    page.setInputFiles("#import-file", { name, mimeType: "text/csv", buffer: Buffer.from(text) });

  await test("zh desktop: the import lists every bad row at once, then previews what it replaces before writing", async () => {
    const { context, page } = await loggedIn("cpc");
    await page.goto(`${base}/statistics?org_unit=BJ01&period=2025-03`);
    await upload(page, "错误.csv", "机构代码,期间,客户数,交易笔数\nBJ0101,2025-03,两万,400000\nBJ0102,2025-13,1,1\nNOPE,2025-03,1,1\n");
    await Promise.all([page.waitForSelector("#import-problems"), page.click("#import-form button[type=submit]")]);
    assert.equal(await page.locator("#import-problems li").count(), 3);
    await page.locator("#import-form").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifacts, "centre-import-problems.png"), fullPage: true });

    await upload(page, "三月.csv", "机构代码,期间,客户数,交易笔数\nBJ0101,2025-03,21000,400000\nBJ0102,2025-03,10000,100000\n");
    await Promise.all([page.waitForSelector("#import-preview"), page.click("#import-form button[type=submit]")]);
    const row = await page.textContent('#preview tr[data-unit="BJ0101"]');
    assert.match(row, /20,000\s*→\s*21,000/);
    assert.equal(await page.locator('#preview tr[data-unit="BJ0102"]').count(), 0, "an unchanged figure is not listed");
    let figures = await api(cpc, "GET", "/api/v1/period-stats?org_unit=BJ01&period=2025-03");
    assert.equal(figures.find((r) => r.org_unit === "BJ0101").customers, 20000, "not written before confirming");
    await page.screenshot({ path: join(artifacts, "centre-import-preview.png"), fullPage: true });
    await Promise.all([page.waitForSelector("#notice"), page.click("#import-confirm button[type=submit]")]);
    assert.match(await page.textContent("#notice"), /已导入 2 行：新录入 0 行，与原数据相同 1 行，替换原数据 1 行/);
    figures = await api(cpc, "GET", "/api/v1/period-stats?org_unit=BJ01&period=2025-03");
    assert.equal(figures.find((r) => r.org_unit === "BJ0101").customers, 21000);
    await page.screenshot({ path: join(artifacts, "centre-import-done.png"), fullPage: true });
    await context.close();
  });

  await test("en phone: the import preview, old → new, and cancelling writes nothing", async () => {
    const context = await browser.newContext({ ...phone, locale: "en-US" });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill("#username", "cpc");
    await page.fill("#password", PASSWORD);
    await Promise.all([page.waitForURL(`${base}/`), page.click("#login")]);
    await page.goto(`${base}/statistics?org_unit=BJ01&period=2025-03`);
    await upload(page, "march.csv", "org_unit,period,customers,transactions\nBJ0101,2025-03,22000,410000\nBJ0102,2025-03,9000,100000\n");
    await Promise.all([page.waitForSelector("#import-preview"), page.click("#import-form button[type=submit]")]);
    assert.match(await page.textContent("#import-preview h2"), /replaces figures entered before \(2\)/);
    assert.match(await page.textContent('#preview tr[data-unit="BJ0101"]'), /410,000/);
    await page.screenshot({ path: join(artifacts, "centre-import-preview-en-phone.png"), fullPage: true });
    await Promise.all([page.waitForURL(/\/statistics\?/), page.click("#import-cancel")]);
    const figures = await api(cpc, "GET", "/api/v1/period-stats?org_unit=BJ01&period=2025-03");
    assert.equal(figures.find((r) => r.org_unit === "BJ0101").customers, 21000, "cancelled: nothing written");
    await context.close();
  });
}
