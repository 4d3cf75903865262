// The service department inspects an outlet on the checklist, the finding opens a rectification,
// the outlet head puts it right with a photo and submits it, it is sent back once and then
// verified by the department. The pages in English and on a phone.
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";

export default async function ({ test, loggedIn, base, artifacts, browser, PASSWORD }) {
  const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
  function acceptDialogs(page, seen) {
    page.on("dialog", async (d) => { seen.push(d.message()); await d.accept(); });
  }
  // a one-pixel PNG, as a phone camera's photo would be uploaded
  const photo = join(tmpdir(), "xiaobao-window.png");
  writeFileSync(photo, Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64"));

  let rectification = null;

  await test("the service department inspects an outlet and the finding opens a rectification", async () => {
    const svc = await loggedIn("bj.service");
    await svc.page.goto(`${base}/inspections`);
    assert.match(await svc.page.textContent("#planner"), /朝阳门网点 \(BJ0101\)/, "the planner lists the outlet not yet inspected");
    await svc.page.screenshot({ path: join(artifacts, "inspections-planner.png"), fullPage: true });
    await Promise.all([svc.page.waitForURL(/\/inspections\/new\?org_unit=BJ0101/), svc.page.click("#planner li[data-outlet=BJ0101] a")]);
    assert.equal(await svc.page.inputValue("#i-unit"), "BJ0101");
    // a point off without saying why is refused beside the item, the values kept
    await svc.page.fill("tr[data-item=D01] input[type=number]", "5");
    await svc.page.click("#save-inspection");
    await svc.page.waitForLoadState("load");
    assert.match(await svc.page.textContent("tr[data-item=D01]"), /扣分或要求整改时必须写明发现的问题/);
    assert.equal(await svc.page.inputValue("tr[data-item=D01] input[type=number]"), "5");
    await svc.page.screenshot({ path: join(artifacts, "inspection-refused.png"), fullPage: true });
    await svc.page.fill("tr[data-item=D01] textarea", "爱心窗口未开放，无老花镜");
    await svc.page.check("tr[data-item=D01] input[type=checkbox]");
    await Promise.all([svc.page.waitForURL(/\/inspections\/\d+\?done=created/), svc.page.click("#save-inspection")]);
    assert.match(await svc.page.textContent("#notice"), /下发整改 1 项/);
    assert.equal((await svc.page.textContent("#inspection-score")).trim(), "95.00%");
    await svc.page.screenshot({ path: join(artifacts, "inspection-made.png"), fullPage: true });
    await svc.page.evaluate(() => { window.printed = 0; window.print = () => { window.printed += 1; }; });
    await svc.page.click("#print");
    assert.equal(await svc.page.evaluate(() => window.printed), 1, "the print button opens printing");
    const link = svc.page.locator("#opened a").first();
    rectification = new URL(await link.getAttribute("href"), base).pathname;
    await svc.page.goto(`${base}/inspections`);
    assert.doesNotMatch(await svc.page.textContent("#planner"), /BJ0101/, "inspected: no longer on the planner");
    await svc.context.close();
  });

  await test("the outlet head uploads a photo and submits; sent back once, then verified", async () => {
    assert.ok(rectification, "a rectification was opened");
    const head = await loggedIn("bj0101.head");
    const asked = [];
    acceptDialogs(head.page, asked);
    await head.page.goto(`${base}/rectifications?mine=true`);
    assert.match(await head.page.textContent("#rectifications"), /D01/);
    await head.page.goto(`${base}${rectification}`);
    assert.match(await head.page.textContent("#next-step"), /上传佐证材料/);
    await head.page.setInputFiles("#evidence-form input[type=file]", photo);
    await Promise.all([head.page.waitForURL(/done=evidence/), head.page.click("#evidence-form button")]);
    assert.match(await head.page.textContent("#notice"), /佐证材料已上传/);
    await head.page.fill("#note-submit", "已开放爱心窗口，配备老花镜三副");
    await Promise.all([head.page.waitForURL(/done=submit/), head.page.click("#act-submit button")]);
    assert.match(asked.at(-1), /提交整改结果/, "asked before submitting");
    assert.match(await head.page.textContent("#notice"), /已提交验收/);
    await head.page.screenshot({ path: join(artifacts, "rectification-submitted.png"), fullPage: true });

    const svc = await loggedIn("bj.service");
    const svcAsked = [];
    acceptDialogs(svc.page, svcAsked);
    await svc.page.goto(`${base}${rectification}`);
    // a send-back needs its reason: the browser keeps the empty form from going
    assert.equal(await svc.page.getAttribute("#note-send_back", "required"), "");
    await svc.page.fill("#note-send_back", "照片未拍到爱心窗口标识");
    await Promise.all([svc.page.waitForURL(/done=send_back/), svc.page.click("#act-send_back button")]);
    assert.match(await svc.page.textContent("#notice"), /已退回/);

    await head.page.goto(`${base}${rectification}`);
    assert.match(await head.page.textContent("#history"), /照片未拍到爱心窗口标识/);
    await head.page.fill("#note-submit", "补拍标识照片");
    await Promise.all([head.page.waitForURL(/done=submit/), head.page.click("#act-submit button")]);

    await svc.page.goto(`${base}${rectification}`);
    await Promise.all([svc.page.waitForURL(/done=verify/), svc.page.click("#act-verify button")]);
    assert.match(svcAsked.at(-1), /验收通过/);
    assert.match(await svc.page.textContent("#notice"), /已验收通过/);
    assert.equal(await svc.page.getAttribute("#rectification", "data-state"), "verified");
    assert.equal(await svc.page.locator("#act-submit, #act-verify, #act-send_back").count(), 0, "nothing left to do");
    await svc.page.screenshot({ path: join(artifacts, "rectification-verified.png"), fullPage: true });
    await Promise.all([svc.context.close(), head.context.close()]);
  });

  await test("another outlet's head reads the rectification as not found", async () => {
    const other = await loggedIn("bj0102.head");
    const res = await other.page.goto(`${base}${rectification}`);
    assert.equal(res.status(), 404);
    await other.context.close();
  });

  await test("the inspection pages in English and on a phone", async () => {
    const en = await loggedIn("bj.service", "en-US");
    await en.page.goto(`${base}/inspections`);
    assert.match(await en.page.textContent("#coverage"), /Inspection coverage/);
    await en.page.screenshot({ path: join(artifacts, "inspections-en.png"), fullPage: true });
    await en.context.close();
    const ctx = await browser.newContext({ ...phone, locale: "zh-CN" });
    const page = await ctx.newPage();
    await page.goto(`${base}/login`);
    await page.fill("#username", "bj0101.head");
    await page.fill("#password", PASSWORD);
    await Promise.all([page.waitForURL(`${base}/`), page.click("#login")]);
    await page.goto(`${base}${rectification}`);
    await page.screenshot({ path: join(artifacts, "rectification-phone.png"), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no sideways scrolling on a phone (${overflow}px)`);
    await page.goto(`${base}/inspections`);
    await page.screenshot({ path: join(artifacts, "inspections-outlet-head-phone.png"), fullPage: true });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth) <= 1, "the list fits a phone");
    await ctx.close();
  });
}
