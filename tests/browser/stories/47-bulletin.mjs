// The month's bulletin over the demo's year of ratings and tickets: the service department reads
// the draft with its formula, the best and worst marked, and publishes it after a confirmation;
// the rewards and penalties land in the service records. The records page: an employee reads
// their own, the department enters one by hand (mistakes beside their fields) and decides the
// accountability a liable complaint proposed. Another outlet's head reads no other unit.
import assert from "node:assert/strict";
import { join } from "node:path";

export default async function ({ test, loggedIn, base, artifacts, browser, PASSWORD }) {
  const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
  let published;

  await test("the service department reads the draft bulletin and publishes it after a confirmation", async () => {
    const { context, page } = await loggedIn("bj.service");
    await page.click("#nav-bulletins");
    await page.waitForSelector("#bulletin");
    assert.equal(await page.getAttribute("#bulletin", "data-state"), "draft");
    assert.match(await page.textContent("#formula"), /满意率 × 40%.*超时等候率.*× 20%.*检查得分 × 25%/s);
    assert.equal(await page.locator("#bulletin-outlets tr.best").count() >= 3, true, "three or more named best");
    assert.equal(await page.locator("#bulletin-outlets tr.worst").count() >= 3, true);
    assert.equal(await page.locator("#bulletin-employees tr.best").count() >= 3, true);
    const first = await page.locator("#bulletin-outlets tbody tr").first().locator("td").first().textContent();
    assert.equal(first.trim(), "1");
    await page.screenshot({ path: join(artifacts, "bulletin-draft.png"), fullPage: true });
    const xlsx = await page.request.get(base + await page.getAttribute("#bulletin-xlsx", "href"));
    assert.equal(xlsx.status(), 200);
    assert.match(xlsx.headers()["content-type"], /spreadsheetml/);

    const asked = [];
    page.on("dialog", async (d) => { asked.push(d.message()); await d.accept(); });
    await Promise.all([page.waitForURL(/done=publish/), page.click("#publish")]);
    assert.match(asked[0], /确定发布 北京分行 \d{4}-\d{2} 的通报吗/);
    assert.match(await page.textContent("#notice"), /通报已发布/);
    assert.equal(await page.getAttribute("#bulletin", "data-state"), "published");
    assert.equal(await page.locator("#publish").count(), 0, "published once");
    published = await page.getAttribute("#published li", "data-bulletin");
    assert.ok(published);
    await page.screenshot({ path: join(artifacts, "bulletin-published.png"), fullPage: true });

    // the best employees' rewards are in their records
    const best = await page.locator("#bulletin-employees tr.best").first().getAttribute("data-key");
    await page.goto(`${base}/service-records?user=${best}`);
    assert.match(await page.textContent(`#records tr[data-user="${best}"]`), /月度通报/);
    await context.close();
  });

  await test("the records: a teller reads their own; the department enters one and decides an accountability", async () => {
    const teller = await loggedIn("bj0101.teller");
    await teller.page.click("#nav-records");
    await teller.page.waitForSelector("#records");
    const users = await teller.page.$$eval("#records tr[data-user]", (rs) => rs.map((r) => r.dataset.user));
    assert.ok(users.every((u) => u === "bj0101.teller"), `only their own: ${users}`);
    assert.equal(await teller.page.locator("#add-record").count(), 0);
    assert.equal(await teller.page.locator("#r-unit").count(), 0);
    await teller.context.close();

    const { context, page } = await loggedIn("bj.service");
    await page.goto(`${base}/service-records?org_unit=BJ0101`);
    await page.fill("#a-user", "nobody.here");
    await page.fill("#a-points", "two");
    await page.click("#add-record-submit");
    await page.waitForSelector("#add-record .field-error");
    const faults = await page.$$eval("#add-record .field-error", (es) => es.map((e) => e.dataset.field).sort());
    assert.deepEqual(faults, ["points"], "the points are refused first, before the employee is looked up");
    await page.fill("#a-points", "2");
    await page.click("#add-record-submit");
    await page.waitForSelector("#add-record .field-error");
    const again = await page.$$eval("#add-record .field-error", (es) => es.map((e) => e.dataset.field).sort());
    assert.deepEqual(again, ["reason", "user"], "every fault at once");
    assert.equal(await page.inputValue("#a-points"), "2", "what was typed is kept");
    await page.fill("#a-user", "bj0101.teller2");
    await page.fill("#a-reason", "主动为老年客户上门办理业务");
    await Promise.all([page.waitForURL(/done=add/), page.click("#add-record-submit")]);
    assert.match(await page.textContent("#notice"), /奖惩已记入服务档案/);
    await page.goto(`${base}/service-records?org_unit=BJ0101`);
    assert.match(await page.textContent('#records tr[data-user="bj0101.teller2"]'), /主动为老年客户上门办理业务/);

    const panel = page.locator("#accountability [data-accountability]").first();
    const id = await panel.getAttribute("data-accountability");
    page.on("dialog", (d) => d.accept());
    await panel.locator("form[action$=dismiss] button").click();
    await page.waitForSelector(`[data-accountability="${id}"] .field-error[data-field=reason]`);
    await page.fill(`[data-accountability="${id}"] form[action$=dismiss] input[name=reason]`, "经调阅监控，已按规定办理");
    await Promise.all([page.waitForURL(/done=dismiss/), page.click(`[data-accountability="${id}"] form[action$=dismiss] button`)]);
    assert.match(await page.textContent("#notice"), /不予追究/);
    assert.equal(await page.locator(`[data-accountability="${id}"]`).count(), 0, "decided: no longer waiting");
    await page.screenshot({ path: join(artifacts, "records-service.png"), fullPage: true });
    await context.close();
  });

  await test("an outlet head reads the bulletin above them but no other unit's", async () => {
    const { context, page } = await loggedIn("bj0101.head");
    await page.goto(`${base}/bulletins/${published}`);
    assert.equal(await page.getAttribute("#bulletin", "data-state"), "published");
    // another unit is refused as one that does not exist: nothing of it is shown
    const res = await page.goto(`${base}/bulletins?org_unit=BJ0102`);
    assert.equal(res.status(), 422);
    assert.match(await page.textContent("#bulletin-error"), /BJ0102 不存在或不在您的管辖范围内/);
    assert.equal(await page.locator("#bulletin").count(), 0);
    const rec = await page.goto(`${base}/service-records?org_unit=BJ0102`);
    assert.equal(rec.status(), 422);
    assert.equal(await page.locator("#records").count(), 0);
    const xlsx = await page.request.get(`${base}/api/v1/bulletins/export?org_unit=BJ0102`);
    assert.equal(xlsx.status(), 422);
    const own = await page.goto(`${base}/bulletins`);
    assert.equal(own.status(), 200);
    const keys = await page.$$eval("#bulletin-outlets tr[data-key]", (rs) => rs.map((r) => r.dataset.key));
    assert.deepEqual(keys, ["BJ0101"], "their own outlet only");
    await context.close();
  });

  await test("the bulletin and the records in English on a phone", async () => {
    const context = await browser.newContext({ ...phone, locale: "en-US" });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill("#username", "bj.service");
    await page.fill("#password", PASSWORD);
    await Promise.all([page.waitForURL(`${base}/`), page.click("#login")]);
    await page.goto(`${base}/bulletins/${published}`);
    assert.match(await page.textContent("#formula"), /Score = satisfaction × 40%/);
    assert.match(await page.textContent("#bulletin-state"), /Published/);
    await page.screenshot({ path: join(artifacts, "bulletin-en-phone.png"), fullPage: true });
    await page.goto(`${base}/service-records`);
    assert.match(await page.textContent("h1"), /Service records/);
    await page.screenshot({ path: join(artifacts, "records-en-phone.png"), fullPage: true });
    await context.close();
  });

  await test("home pages: the department sees today's overtime outlets, open rectifications and the bulletin; an outlet head their outlet", async () => {
    const svc = await loggedIn("bj.service");
    await svc.page.waitForSelector("#home-service");
    for (const part of ["#home-overtime", "#home-rectifications", "#home-bulletin"]) {
      assert.equal(await svc.page.locator(part).count(), 1, part);
    }
    // the bulletin published above reads as published on the home page
    assert.match(await svc.page.textContent("#home-bulletin"), /已发布/);
    const open = await svc.page.locator("#home-rectifications li").count();
    assert.ok(open > 0, "the demo's latest findings are open");
    await svc.page.screenshot({ path: join(artifacts, "home-service.png"), fullPage: true });
    await svc.context.close();

    const head = await loggedIn("bj0101.head");
    await head.page.waitForSelector("#home-figures");
    const session = await head.page.request.post(`${base}/api/v1/session`, { data: { username: "bj0101.head", password: PASSWORD } });
    const token = (await session.json()).token;
    const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
    const m = await head.page.request.get(`${base}/api/v1/service-measures?from=${today.slice(0, 8)}01&to=${today}`, { headers: { authorization: `Bearer ${token}` } });
    const figures = (await m.json()).figures;
    assert.equal((await head.page.textContent("#sat-month")).trim(), figures.counter_satisfaction_rate.display);
    assert.equal((await head.page.textContent("#overtime-month")).trim(), figures.overtime_wait_ratio.display);
    await head.page.screenshot({ path: join(artifacts, "home-outlet-head.png"), fullPage: true });
    await head.context.close();
  });
}
