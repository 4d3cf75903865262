// Home pages as the day starts: the bell and the inbox, the supervisor's board whose rows add up to
// its total, and lists that show their first rows, at desktop and phone width.
import assert from "node:assert/strict";
import { join } from "node:path";

export default async function ({ test, loggedIn, base, artifacts, browser }) {
  await test("the bell counts unread alerts; the inbox opens them and marks them read", async () => {
    const { context, page } = await loggedIn("bj0101.head");
    assert.ok(await page.$("#bell"), "a bell on the home page");
    await page.goto(`${base}/complaints`);
    assert.ok(await page.$("#bell"), "and on every page");
    await Promise.all([page.waitForURL(`${base}/inbox`), page.click("#bell")]);
    await page.screenshot({ path: join(artifacts, "inbox.png"), fullPage: true });
    const count = async () => Number((await page.$eval("#bell-count", (e) => e.textContent).catch(() => "0")).replace("+", ""));
    const before = await count();
    if (before > 0) {
      const first = page.locator("#notifications tr.unread a").first();
      await Promise.all([page.waitForURL(/\/(complaints|rectifications|inspections)\/\d+$|\/workbook\/weekly$/), first.click()]);
      assert.ok((await count()) < before || before >= 99, "opening one marks it read");
      await page.goto(`${base}/inbox`);
      page.once("dialog", (d) => d.accept());
      await Promise.all([page.waitForURL(`${base}/inbox`), page.click("#read-all")]);
      assert.equal(await count(), 0, "all read");
    } else {
      assert.ok(await page.$("#inbox-empty"), "an empty inbox says so");
    }
    await context.close();
  });

  await test("the supervisor's board adds up; lists show their first rows, phone width too", async () => {
    const { context, page } = await loggedIn("bj01.ops");
    const rows = await page.$$eval("#board tbody tr", (trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td.num")].map((td) => Number(td.textContent.replace(/,/g, "")))));
    const total = rows.pop();
    for (let i = 0; i < total.length; i++) {
      assert.equal(rows.reduce((s, r) => s + r[i], 0), total[i], `column ${i} adds up`);
    }
    for (const id of ["breaches", "queue"]) {
      const n = await page.$$eval(`#${id} tbody tr`, (trs) => trs.length);
      assert.ok(n <= 10, `${id}: at most ten rows (${n})`);
    }
    await page.screenshot({ path: join(artifacts, "supervisor-home.png"), fullPage: true });
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    assert.ok(height < 6000, `the home page is not a wall: ${height}px`);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(artifacts, "supervisor-home-phone.png"), fullPage: true });
    await context.close();
  });
}
