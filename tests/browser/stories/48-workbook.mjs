// The workbook: a teller records a fraud interception (a wrong form first, every fault shown beside
// its field), attaches a photo; the outlet head corrects it and the earlier version is listed; a
// teller of another outlet finds nothing; the sub-branch supervisor reads the figures. In English
// and on a phone too.
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";

export default async function ({ test, loggedIn, base, artifacts }) {
  const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
  const photo = join(tmpdir(), "xiaobao-fraud.png");
  writeFileSync(photo, Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64"));
  let record = null;

  await test("a teller records a fraud interception, told every fault at once first", async () => {
    const t = await loggedIn("bj0101.teller");
    await Promise.all([t.page.waitForURL(/\/workbook$/), t.page.click("#nav-workbook")]);
    assert.equal(await t.page.locator("#figures").count(), 0, "a teller sees the registers, not the figures");
    await Promise.all([t.page.waitForURL(/\/workbook\/fraud$/), t.page.click("#registers a[data-register=fraud_interception]")]);
    await Promise.all([t.page.waitForURL(/\/workbook\/fraud\/new$/), t.page.click("#new-interception")]);
    assert.equal(await t.page.inputValue("#w-unit"), "BJ0101", "the teller's outlet by default");
    assert.equal(await t.page.inputValue("#w-staff"), "bj0101.teller", "the teller as staff by default");
    await t.page.selectOption("#w-scenario", "other");
    await t.page.fill("#w-amount", "abc");
    await t.page.click("#fraud-submit");
    await t.page.waitForLoadState("load");
    const errors = await t.page.locator("#fraud-form .field-error").allTextContents();
    assert.equal(errors.length, 3, `three faults: ${errors}`);
    assert.match(await t.page.textContent("#error-count"), /3 处/);
    assert.equal(await t.page.inputValue("#w-amount"), "abc", "what was typed is kept");
    await t.page.screenshot({ path: join(artifacts, "fraud-refused.png"), fullPage: true });
    await t.page.fill("#w-scenario-other", "冒充电商退款");
    await t.page.fill("#w-amount", "38000");
    await t.page.check("#w-groups input[name='group.elderly']");
    await t.page.check("#w-police");
    await t.page.fill("#w-description", "老年客户称接到电商“退款”电话，欲转账 3.8 万元，柜员劝阻并报警。");
    await Promise.all([t.page.waitForURL(/\/workbook\/fraud\/\d+\?done=created/), t.page.click("#fraud-submit")]);
    record = new URL(t.page.url()).pathname;
    assert.match(await t.page.textContent("#notice"), /已登记/);
    assert.match(await t.page.textContent("#v-scenario"), /其他（冒充电商退款）/);
    assert.equal((await t.page.textContent("#v-amount")).trim(), "38000.00");
    await t.page.setInputFiles("#file-form input[type=file]", photo);
    await Promise.all([t.page.waitForURL(/done=file/), t.page.click("#file-form button")]);
    assert.match(await t.page.textContent("#files"), /xiaobao-fraud\.png/);
    await t.page.screenshot({ path: join(artifacts, "fraud-recorded.png"), fullPage: true });
    await t.context.close();
  });

  await test("the outlet head corrects it; the earlier version is kept", async () => {
    assert.ok(record, "an interception was recorded");
    const h = await loggedIn("bj0101.head");
    await h.page.goto(`${base}/workbook/fraud`);
    assert.match(await h.page.textContent("#interceptions"), /38000\.00/);
    await h.page.goto(`${base}${record}`);
    await Promise.all([h.page.waitForURL(/\/edit$/), h.page.click("#edit-interception")]);
    await h.page.fill("#w-amount", "36000");
    await h.page.fill("#w-reason", "核对转账凭证后更正金额");
    await Promise.all([h.page.waitForURL(/done=saved/), h.page.click("#fraud-submit")]);
    assert.equal((await h.page.textContent("#v-version")).trim(), "2");
    assert.match(await h.page.textContent("#versions"), /核对转账凭证后更正金额/);
    assert.match(await h.page.textContent("#versions"), /38000\.00/);
    await h.page.screenshot({ path: join(artifacts, "fraud-corrected.png"), fullPage: true });
    await h.context.close();
  });

  await test("a teller of another outlet finds it nowhere", async () => {
    const o = await loggedIn("bj0102.teller");
    const res = await o.page.goto(`${base}${record}`);
    assert.equal(res.status(), 404);
    const edit = await o.page.goto(`${base}${record}/edit`);
    assert.equal(edit.status(), 404);
    await o.page.goto(`${base}/workbook/fraud`);
    assert.doesNotMatch(await o.page.textContent("body"), /冒充电商退款/);
    await o.context.close();
  });

  await test("the supervisor reads the figures, in both languages and on a phone", async () => {
    const s = await loggedIn("bj01.ops");
    await s.page.goto(`${base}/workbook`);
    const total = await s.page.textContent("#figures-total");
    assert.match(total, /\d/);
    assert.equal(await s.page.locator("#figures-units tr[data-unit]").count() > 0, true);
    assert.match(await s.page.textContent("#figures-scenarios"), /冒充公检法/);
    await s.page.screenshot({ path: join(artifacts, "workbook-figures.png"), fullPage: true });
    await s.context.close();
    const en = await loggedIn("bj01.ops", "en");
    await en.page.goto(`${base}/workbook`);
    assert.match(await en.page.textContent("#figures"), /Posing as police or courts/);
    await en.page.goto(`${base}/workbook/fraud`);
    assert.match(await en.page.textContent("h1"), /Fraud interceptions/);
    await en.page.screenshot({ path: join(artifacts, "fraud-list-en.png"), fullPage: true });
    await en.context.close();
    const p = await loggedIn("bj0101.head");
    await p.page.setViewportSize(phone.viewport);
    await p.page.goto(`${base}/workbook/fraud`);
    const width = await p.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 400, `no sideways scrolling at phone width (${width}px)`);
    await p.page.screenshot({ path: join(artifacts, "fraud-list-phone.png"), fullPage: true });
    await p.page.goto(`${base}${record}/edit`);
    await p.page.screenshot({ path: join(artifacts, "fraud-form-phone.png"), fullPage: true });
    await p.context.close();
  });
}
