// Weekly lobby reports: the lobby manager writes last week's report (a blank form refused first,
// every fault beside its field), the week's figures shown; the outlet head sends it back, it is
// written again and signed off; the sub-branch supervisor sees which outlets are still missing.
// In English and on a phone too.
import assert from "node:assert/strict";
import { join } from "node:path";

export default async function ({ test, loggedIn, base, artifacts }) {
  let report = null;

  await test("a lobby manager writes last week's report, told every fault at once first", async () => {
    const l = await loggedIn("bj0102.lobby");
    await l.page.goto(`${base}/workbook`);
    await Promise.all([l.page.waitForURL(/\/workbook\/weekly$/), l.page.click("#registers a[data-register=weekly_report]")]);
    await Promise.all([l.page.waitForURL(/\/new$/), l.page.click("#new-weekly")]);
    assert.equal(await l.page.inputValue("#k-unit"), "BJ0102");
    assert.match(await l.page.inputValue("#k-week"), /^\d{4}-W\d{2}$/, "last week by default");
    assert.equal(await l.page.locator("#week-figures dd").count(), 7, "the week's figures are shown");
    await l.page.click("#weekly-submit");
    await l.page.waitForLoadState("load");
    const errors = await l.page.locator("#weekly-form .field-error").allTextContents();
    assert.equal(errors.length, 3, `three empty fields: ${errors}`);
    await l.page.fill("#k-cp", "开展反诈宣传两次，为老年客户讲解养老诈骗。");
    await l.page.fill("#k-sq", "周一上午排队较长，已增开窗口。");
    await l.page.fill("#k-c", "受理投诉一件，已办结。");
    await Promise.all([l.page.waitForURL(/\/workbook\/weekly\/\d+\?done=created/), l.page.click("#weekly-submit")]);
    report = new URL(l.page.url()).pathname;
    assert.match(await l.page.textContent("#weekly-state"), /待负责人签批/);
    await l.page.screenshot({ path: join(artifacts, "weekly-written.png"), fullPage: true });
    await l.context.close();
  });

  await test("the outlet head sends it back, it is written again and signed off", async () => {
    assert.ok(report, "a report was written");
    const h = await loggedIn("bj0102.head");
    await h.page.goto(`${base}${report}`);
    await h.page.click("#send-back");
    await h.page.waitForLoadState("load");
    assert.equal(await h.page.locator("#send-back-form .field-error").count(), 1, "a send-back needs its reason");
    await h.page.fill("#back-reason", "投诉处理结果请写具体");
    await Promise.all([h.page.waitForURL(/done=sent_back/), h.page.click("#send-back")]);
    assert.match(await h.page.textContent("#weekly-state"), /已退回/);
    await h.context.close();
    const l = await loggedIn("bj0102.lobby");
    await l.page.goto(`${base}${report}`);
    await Promise.all([l.page.waitForURL(/\/edit$/), l.page.click("#rewrite-weekly")]);
    await l.page.fill("#k-c", "受理投诉一件（手续费咨询），当场解释并致歉，客户满意。");
    await Promise.all([l.page.waitForURL(/done=saved/), l.page.click("#weekly-submit")]);
    await l.context.close();
    const h2 = await loggedIn("bj0102.head");
    await h2.page.goto(`${base}${report}`);
    await Promise.all([h2.page.waitForURL(/done=signed/), h2.page.click("#sign-off")]);
    assert.match(await h2.page.textContent("#weekly-state"), /已签批/);
    assert.match(await h2.page.textContent("#versions"), /受理投诉一件，已办结/);
    await h2.page.screenshot({ path: join(artifacts, "weekly-signed.png"), fullPage: true });
    await h2.context.close();
  });

  await test("the supervisor sees the outlets still missing; another outlet sees nothing; English and phone", async () => {
    const s = await loggedIn("bj01.ops");
    await s.page.goto(`${base}/workbook/weekly`);
    assert.match(await s.page.textContent("#weekly-missing"), /个网点中已签批/);
    assert.equal(await s.page.locator("#weekly-missing li[data-unit=BJ0102]").count(), 0, "BJ0102 is signed now");
    await s.page.screenshot({ path: join(artifacts, "weekly-missing.png"), fullPage: true });
    await s.context.close();
    const o = await loggedIn("bj0101.teller");
    assert.equal((await o.page.goto(`${base}${report}`)).status(), 404);
    await o.context.close();
    const en = await loggedIn("bj0102.head", "en");
    await en.page.setViewportSize({ width: 390, height: 844 });
    await en.page.goto(`${base}${report}`);
    assert.match(await en.page.textContent("#weekly-state"), /Signed off/);
    const width = await en.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 400, `no sideways scrolling at phone width (${width}px)`);
    await en.page.screenshot({ path: join(artifacts, "weekly-phone-en.png"), fullPage: true });
    await en.context.close();
  });
}
