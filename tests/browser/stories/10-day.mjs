// A teller's and an outlet head's day: registration, the order's actions, attachments, lists and the
// watch list, in Chinese and English.
import assert from "node:assert/strict";
import { join } from "node:path";

export default async function ({ test, loggedIn, base, artifacts, browser, PASSWORD }) {
  let orderPath = null;

  await test("a teller logs in and registers a complaint; a missing field is shown in place", async () => {
    const { context, page } = await loggedIn("bj0101.teller");
    assert.match(await page.textContent("#whoami"), /BJ0101/);
    await page.screenshot({ path: join(artifacts, "teller-home.png"), fullPage: true });
    await page.selectOption("#channel", "counter");
    await page.fill("#name", "王建国");
    await page.fill("#phone", "13911112222");
    await page.selectOption("#category", "01");
    await page.fill("#description", "等候超过一小时，只有两个窗口办理业务。");
    await page.click("#register-submit");
    await page.waitForSelector('.field-error[data-field="summary"]');
    assert.equal(await page.inputValue("#name"), "王建国", "typed values are kept");
    await page.screenshot({ path: join(artifacts, "field-error.png"), fullPage: true });
    await page.fill("#summary", "柜台排队时间过长");
    await Promise.all([page.waitForURL(/\/complaints\/\d+$/), page.click("#register-submit")]);
    orderPath = new URL(page.url()).pathname;
    assert.match(await page.textContent("#state"), /已登记/);
    await context.close();
  });

  await test("the outlet head accepts, responds and decides", async () => {
    const { context, page } = await loggedIn("bj0101.head");
    // deciding asks first: the head says yes each time, and the question names the action
    const asked = [];
    page.on("dialog", (d) => { asked.push(d.message()); d.accept(); });
    await page.screenshot({ path: join(artifacts, "head-queue.png"), fullPage: true });
    await page.goto(`${base}${orderPath}`);
    await Promise.all([page.waitForURL(`${base}${orderPath}`), page.click("#action-accept button")]);
    assert.match(await page.textContent("#state"), /已受理/);
    await page.fill("#action-respond textarea[name=text]", "已致电客户说明处理方案");
    await page.click("#action-respond button");
    await page.waitForSelector("#action-decide");
    // a decision without its text is refused beside the field, keeping what was chosen
    await page.selectOption("#action-decide select[name=root_cause]", "misunderstanding");
    await page.click("#action-decide button");
    await page.waitForSelector('#action-decide .field-error[data-field="text"]');
    assert.equal(await page.inputValue("#action-decide select[name=root_cause]"), "misunderstanding");
    await page.screenshot({ path: join(artifacts, "decide-field-error.png"), fullPage: true });
    // evidence attached to the order
    await page.setInputFiles("#attach-file", { name: "来电记录.txt", mimeType: "text/plain", buffer: Buffer.from("客户来电，要求增开窗口。") });
    await Promise.all([page.waitForURL(/#attachments$/), page.click("#attach button")]);
    assert.match(await page.textContent("#attachments"), /来电记录\.txt/);
    await page.check("#action-decide input[name=liable][value=true]");
    await page.selectOption("#action-decide select[name=root_cause]", "service_fault");
    await page.fill("#action-decide textarea[name=text]", "经核实，已向客户致歉并增开窗口。");
    await page.click("#action-decide button");
    await page.waitForSelector("#action-decide", { state: "detached" });
    assert.ok(asked.some((m) => /作出处理决定/.test(m)), `the decision was confirmed: ${asked}`);
    assert.match(await page.textContent("#state"), /已作出处理决定/);
    assert.match(await page.textContent("#done"), /处理决定已记录/);
    assert.match(await page.textContent("#outcome-liable"), /我行有责/);
    assert.match(await page.textContent("#outcome-text"), /已向客户致歉并增开窗口/);
    await page.screenshot({ path: join(artifacts, "order-decided.png"), fullPage: true });
    await context.close();
  });

  await test("the teller sees it decided and closes it; then switches to English", async () => {
    const { context, page } = await loggedIn("bj0101.teller");
    await page.goto(`${base}${orderPath}`);
    assert.match(await page.textContent("#state"), /已作出处理决定/);
    page.on("dialog", (d) => d.accept());
    await page.selectOption("#action-close select[name=feedback]", "satisfied");
    await page.click("#action-close button");
    await page.waitForSelector("#action-close", { state: "detached" });
    assert.match(await page.textContent("#state"), /已办结/);
    await Promise.all([page.waitForLoadState("load"), page.click("#switch-lang")]);
    await page.waitForFunction(() => document.documentElement.lang === "en");
    assert.match(await page.textContent("#state"), /closed/);
    await page.goto(`${base}/`);
    assert.match(await page.textContent("main"), /My first-responder orders/);
    await page.screenshot({ path: join(artifacts, "teller-home-en.png"), fullPage: true });
    await context.close();
  });

  await test("a browser that asks for English is answered in English before anyone switches", async () => {
    const { context, page } = await loggedIn("bj0101.head", "en-US");
    assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
    assert.match(await page.textContent("header"), /Outlet head/, "the role is named, not shown as a code");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(artifacts, "head-home-en-phone.png"), fullPage: true });
    await context.close();
  });

  await test("another outlet's order is not found by URL", async () => {
    const { context, page } = await loggedIn("bj0102.head");
    const res = await page.goto(`${base}${orderPath}`);
    assert.equal(res.status(), 404);
    assert.match(await page.textContent("#not-found"), /未找到/);
    await context.close();
  });

  await test("the centre reads the bank-wide board, filters the list and exports it", async () => {
    const { context, page } = await loggedIn("cpc");
    await page.waitForSelector("#board tr[data-unit=BJ]");
    await page.screenshot({ path: join(artifacts, "centre-board.png"), fullPage: true });
    const open = await page.textContent("#board tr[data-unit=BJ] td:nth-child(2) a");
    await Promise.all([page.waitForURL(/\/complaints\?/), page.click("#board tr[data-unit=BJ] td:nth-child(2) a")]);
    assert.match(await page.textContent("#total"), new RegExp(`${open.trim()}$`));
    await page.selectOption("#f-channel", "hotline");
    await Promise.all([page.waitForURL(/channel=hotline/), page.click("#apply")]);
    const rows = await page.locator("#orders tbody tr").count();
    assert.ok(rows > 0, "the demo has hotline complaints in Beijing");
    await page.screenshot({ path: join(artifacts, "order-list.png"), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
    assert.match(download.suggestedFilename(), /^complaints-\d{8}\.xlsx$/);
    // a wrong date is shown beside its field
    await page.goto(`${base}/complaints?received_from=yesterday`);
    await page.waitForSelector('.field-error[data-field="received_from"]');
    await context.close();
  });

  await test("an administrator adds a user; a taken username is refused in place", async () => {
    const { context, page } = await loggedIn("admin");
    await Promise.all([page.waitForURL(`${base}/admin/org`), page.click("#nav-admin")]);
    await page.screenshot({ path: join(artifacts, "admin-org.png"), fullPage: true });
    await page.goto(`${base}/admin/users`);
    await page.fill("#n-username", "bj0101.teller");
    await page.fill("#n-display", "新柜员");
    await page.selectOption("#n-role", "teller");
    await page.fill("#n-unit", "BJ0101");
    await page.fill("#n-password", "a-long-password-1");
    await page.click("#add-user button");
    await page.waitForSelector('.field-error[data-field="username"]');
    assert.equal(await page.inputValue("#n-display"), "新柜员");
    await page.fill("#n-username", "bj0101.teller9");
    await page.fill("#n-password", "a-long-password-1");
    await Promise.all([page.waitForURL(/\/admin\/users\?done=created/), page.click("#add-user button")]);
    assert.match(await page.textContent(".notice"), /bj0101\.teller9/);
    await page.screenshot({ path: join(artifacts, "admin-users.png"), fullPage: true });
    await page.goto(`${base}/admin/calendar`);
    await page.screenshot({ path: join(artifacts, "admin-calendar.png"), fullPage: true });
    await context.close();
  });

  await test("the centre reads measures, league tables, hot issues and reports, and enters figures", async () => {
    const { context, page } = await loggedIn("cpc");
    await Promise.all([page.waitForURL(`${base}/measures`), page.click("#nav-measures")]);
    await page.waitForSelector("#figures #received");
    assert.ok(Number((await page.textContent("#received")).replace(/,/g, "")) > 0, "the demo year has complaints");
    assert.notEqual((await page.textContent('tr[data-rate="per_10k_customers"] td.num')).trim(), "—", "the demo has customers");
    await page.selectOption("#m-by", "unit");
    await Promise.all([page.waitForURL(/by=unit/), page.click("#measures-filter button")]);
    await page.waitForSelector("#breakdown tr[data-key=BJ]");
    await page.waitForSelector("#volume-chart");
    await page.screenshot({ path: join(artifacts, "measures.png"), fullPage: true });

    await Promise.all([page.waitForURL(/\/league/), page.click('#measures-tabs a[href="/league"]')]);
    await page.waitForSelector("#league-best tbody tr");
    assert.equal((await page.textContent("#league-best tbody tr td.num")).trim(), "1");
    await page.selectOption("#l-of", "employees");
    await page.selectOption("#l-measure", "received");
    await Promise.all([page.waitForURL(/of=employees/), page.click("#league-filter button")]);
    await page.waitForSelector("#league-best tbody tr");
    await page.screenshot({ path: join(artifacts, "league.png"), fullPage: true });

    await Promise.all([page.waitForURL(/\/hot-issues/), page.click('#measures-tabs a[href="/hot-issues"]')]);
    await page.waitForSelector("#group-0");
    await page.screenshot({ path: join(artifacts, "hot-issues.png"), fullPage: true });
    await Promise.all([page.waitForURL(/\/hot-issues\/\d+$/), page.click("#group-0 form.link button")]);
    await page.waitForSelector("#issue-title");
    const members = await page.locator("table.members tbody tr").count();
    assert.ok(members >= 3);
    // taking an order out asks first: dismissed, nothing changes; accepted, the row is gone
    page.once("dialog", (d) => d.dismiss());
    await page.click("table.members tbody tr:first-child form button");
    assert.equal(await page.locator("table.members tbody tr").count(), members);
    page.once("dialog", (d) => d.accept());
    await Promise.all([page.waitForLoadState("load"), page.click("table.members tbody tr:first-child form button")]);
    await page.waitForFunction((n) => document.querySelectorAll("table.members tbody tr").length === n, members - 1);

    await Promise.all([page.waitForURL(/\/reports/), page.click('#measures-tabs a[href="/reports"]')]);
    await page.waitForSelector("#regulatory-total");
    const [sheet] = await Promise.all([page.waitForEvent("download"), page.click("#regulatory-download")]);
    assert.match(sheet.suggestedFilename(), /^regulatory-HO-\d{4}-\d{2}\.xlsx$/);
    await page.screenshot({ path: join(artifacts, "reports.png"), fullPage: true });

    await page.goto(`${base}/statistics?org_unit=BJ0101&period=2026-01`);
    await page.setInputFiles("#import-file", {
      name: "figures.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("机构代码,期间,客户数,交易笔数\nBJ0101,2026-01,12345,678900\n"),
    });
    // the demo bank has January's figures already: the import shows what it replaces, then writes
    await Promise.all([page.waitForSelector("#import-preview"), page.click("#import-form button[type=submit]")]);
    assert.match(await page.textContent('#preview tr[data-unit="BJ0101"]'), /12,345/);
    await Promise.all([page.waitForURL(/imported=1/), page.click("#import-confirm button[type=submit]")]);
    assert.match(await page.textContent('#stats tr[data-unit="BJ0101"]'), /12,345/);
    await page.screenshot({ path: join(artifacts, "statistics.png"), fullPage: true });
    await context.close();
  });

  await test("another city's teller is warned of a watch-listed complainant and told only who handles the matter", async () => {
    // two complaints of one person at BJ0101 make a repeat complainant, on the watch list
    const { context: bj, page: bjPage } = await loggedIn("bj0101.teller");
    for (const [category, summary] of [["01", "存款利息计算有误"], ["04", "银行卡被重复扣费"]]) {
      await bjPage.goto(`${base}/`);
      await bjPage.fill("#name", "赵秀兰");
      await bjPage.fill("#phone", "13922223333");
      await bjPage.selectOption("#category", category);
      await bjPage.fill("#summary", summary);
      await bjPage.fill("#description", "客户到柜台反映，要求尽快处理。");
      await Promise.all([bjPage.waitForURL(/\/complaints\/\d+$/), bjPage.click("#register-submit")]);
    }
    await bj.close();
    for (const [width, height, suffix] of [[1280, 900, ""], [390, 844, "-phone"]]) {
      const { context, page } = await loggedIn("sh0101.teller");
      await page.setViewportSize({ width, height });
      await page.fill("#phone", "13922223333");
      await page.press("#phone", "Tab");
      await page.waitForSelector("#watchlist-warning:not([hidden])");
      assert.match(await page.textContent("#watchlist-warning"), /已投诉 2 次/);
      if (suffix) { await context.close(); continue; }
      await page.fill("#name", "赵秀兰");
      await page.selectOption("#category", "01");
      await page.fill("#summary", "存款利息计算有误");
      await page.fill("#description", "客户致电再次反映，称利息仍未更正。");
      await page.click("#register-submit");
      await page.waitForSelector("#notice");
      const notice = await page.textContent("#notice");
      assert.match(notice, /BJ0101/, "the unit handling it is named");
      assert.doesNotMatch(notice, /TS\d/, "the order's number is not told");
      assert.equal(new URL(page.url()).pathname, "/complaints/new", "no order page of another branch is opened");
      await page.screenshot({ path: join(artifacts, `joined-elsewhere${suffix}.png`), fullPage: true });
      await context.close();
    }
  });

}
