// Consumer-protection reviews: the sub-branch's supervisor submits material for review and uploads
// it; the branch's centre reviews it with a binding and an advisory opinion; head office re-checks
// it; the supervisor answers (a declined opinion without its reason is refused, beside it) and
// concludes with the final material (refused without it). Another outlet finds it nowhere; the
// centre reads the monthly samples. In English and on a phone too.
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";

export default async function ({ test, loggedIn, base, artifacts }) {
  const material = join(tmpdir(), "xiaobao-review-material.pdf");
  writeFileSync(material, "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
  const final = join(tmpdir(), "xiaobao-review-final.pdf");
  writeFileSync(final, "%PDF-1.4\n% final\n%%EOF\n");
  let review = null;

  await test("a department submits material for review", async () => {
    const s = await loggedIn("bj01.ops");
    await s.page.goto(`${base}/workbook`);
    await Promise.all([s.page.waitForURL(/\/workbook\/reviews$/), s.page.click("#registers a[data-register=cp_review]")]);
    await Promise.all([s.page.waitForURL(/\/new$/), s.page.click("#new-review")]);
    assert.equal(await s.page.inputValue("#r-unit"), "BJ01", "the caller's unit by default");
    await s.page.click("#review-submit");
    await s.page.waitForLoadState("load");
    const errors = await s.page.locator("#review-form .field-error").allTextContents();
    assert.equal(errors.length, 2, `title and description: ${errors}`);
    await s.page.selectOption("#r-kind", "fee");
    await s.page.selectOption("#r-stage", "pricing");
    await s.page.fill("#r-title", "个人账户小额管理费调整");
    await s.page.fill("#r-description", "拟取消部分小额账户管理费并调整公示方式。");
    await Promise.all([s.page.waitForURL(/\/workbook\/reviews\/\d+\?done=created/), s.page.click("#review-submit")]);
    review = new URL(s.page.url()).pathname;
    assert.match(await s.page.textContent("#review-state"), /待初审/);
    await s.page.setInputFiles("#file-form input[type=file]", material);
    await Promise.all([s.page.waitForURL(/done=file/), s.page.click("#file-form button")]);
    assert.match(await s.page.textContent("#files"), /xiaobao-review-material\.pdf/);
    await s.page.screenshot({ path: join(artifacts, "review-submitted.png"), fullPage: true });
    await s.context.close();
  });

  await test("the branch's centre reviews it, head office re-checks it", async () => {
    assert.ok(review, "a review was submitted");
    const r = await loggedIn("bj.cpc");
    await r.page.goto(`${base}${review}`);
    await r.page.fill("#review-step textarea[name='opinion.0']", "收费标准须在营业场所和官网同步公示。");
    await r.page.check("#review-step input[name='binding.0']");
    await r.page.fill("#review-step textarea[name='opinion.1']", "建议增加减免情形的示例。");
    await Promise.all([r.page.waitForURL(/done=review/), r.page.click("#review-send")]);
    assert.match(await r.page.textContent("#review-state"), /待复核/);
    assert.equal(await r.page.locator("#recheck-step").count(), 0, "the first reviewer does not re-check");
    await r.context.close();
    const c = await loggedIn("cpc");
    await c.page.goto(`${base}${review}`);
    assert.equal(await c.page.locator("#opinions tr[data-opinion]").count(), 2);
    await Promise.all([c.page.waitForURL(/done=recheck/), c.page.click("#recheck-send")]);
    assert.match(await c.page.textContent("#review-state"), /待答复意见/);
    await c.page.screenshot({ path: join(artifacts, "review-rechecked.png"), fullPage: true });
    await c.context.close();
  });

  await test("the submitter answers and concludes with the final material", async () => {
    const s = await loggedIn("bj01.ops");
    await s.page.goto(`${base}${review}`);
    assert.equal(await s.page.locator("fieldset[data-opinion='1'] input[value=no]").count(), 0, "a binding opinion cannot be declined");
    await s.page.check("fieldset[data-opinion='2'] input[value=no]");
    await s.page.click("#respond-send");
    await s.page.waitForLoadState("load");
    assert.match(await s.page.textContent("fieldset[data-opinion='2']"), /说明理由/);
    await s.page.check("fieldset[data-opinion='2'] input[value=no]");
    await s.page.fill("#reason-2", "减免情形已在价目表附注中列明。");
    await Promise.all([s.page.waitForURL(/done=respond/), s.page.click("#respond-send")]);
    assert.match(await s.page.textContent("#review-state"), /待上传最终材料/);
    await s.page.click("#conclude-send");
    await s.page.waitForLoadState("load");
    assert.match(await s.page.textContent("#conclude-step"), /最终上线的材料/);
    await s.page.setInputFiles("#final-file", final);
    await Promise.all([s.page.waitForURL(/done=conclude/), s.page.click("#conclude-send")]);
    assert.match(await s.page.textContent("#review-state"), /已办结/);
    assert.match(await s.page.textContent("#v-final"), /xiaobao-review-final\.pdf/);
    assert.match(await s.page.textContent("#opinions"), /减免情形已在价目表附注中列明/);
    await s.page.screenshot({ path: join(artifacts, "review-concluded.png"), fullPage: true });
    await s.context.close();
  });

  await test("another outlet finds it nowhere; the centre reads the samples, in English and on a phone", async () => {
    const o = await loggedIn("bj0102.teller");
    assert.equal((await o.page.goto(`${base}${review}`)).status(), 404);
    await o.page.goto(`${base}/workbook/reviews`);
    assert.doesNotMatch(await o.page.textContent("body"), /个人账户小额管理费调整/);
    await o.context.close();
    const c = await loggedIn("cpc");
    const last = new Date();
    last.setDate(1);
    last.setMonth(last.getMonth() - 1);
    const month = `${last.getFullYear()}-${String(last.getMonth() + 1).padStart(2, "0")}`;
    await c.page.goto(`${base}/workbook/reviews/samples?month=${month}`);
    assert.ok((await c.page.locator("#draw-form").count()) === 1, "the centre may draw");
    await c.page.screenshot({ path: join(artifacts, "review-samples.png"), fullPage: true });
    await c.context.close();
    const en = await loggedIn("bj01.ops", "en");
    await en.page.goto(`${base}${review}`);
    assert.match(await en.page.textContent("#review-state"), /Concluded/);
    await en.page.goto(`${base}/workbook/reviews`);
    assert.match(await en.page.textContent("h1"), /Consumer-protection reviews/);
    await en.page.screenshot({ path: join(artifacts, "reviews-list-en.png"), fullPage: true });
    await en.page.setViewportSize({ width: 390, height: 844 });
    await en.page.goto(`${base}${review}`);
    const width = await en.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 400, `no sideways scrolling at phone width (${width}px)`);
    await en.page.screenshot({ path: join(artifacts, "review-phone.png"), fullPage: true });
    await en.context.close();
  });
}
