// The public progress page on a phone, the error pages a person can reach, and the warning that the
// 2027 holiday arrangement is not loaded, in Chinese and English.
import assert from "node:assert/strict";
import { join } from "node:path";

export default async function ({ test, loggedIn, base, artifacts, browser, PASSWORD }) {
  const api = async (token, method, path, body) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await res.json().catch(() => null);
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const login = async (username) => (await api(null, "POST", "/api/v1/session", { username, password: PASSWORD })).token;

  // an order registered today whose decision, once extended, falls due in January 2027
  const teller = await login("bj0101.teller");
  const order = await api(teller, "POST", "/api/v1/complaints", {
    channel: "counter",
    org_unit: "BJ0101",
    complainant: { name: "李秀英", phone: "13912345678", tags: ["elderly"] },
    category: "0302",
    summary: "存折取款被多收手续费",
    description: "客户七十岁，称取款时被收取了未告知的手续费。",
  });
  const head = await login("bj0101.head");
  await api(head, "POST", `/api/v1/complaints/${order.id}/accept`, {});
  await api(head, "POST", `/api/v1/complaints/${order.id}/respond`, { text: "已致电客户说明处理安排" });
  const extended = await api(head, "POST", `/api/v1/complaints/${order.id}/extend`, { reason: "需调取柜台录像核实" });
  const orderPath = `/complaints/${order.id}`;

  for (const [locale, lang] of [["zh-CN", "zh"], ["en-US", "en"]]) {
    await test(`${lang}: the progress page on a phone finds a number typed in small letters, in large type`, async () => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale, isMobile: true, hasTouch: true });
      const page = await context.newPage();
      await page.goto(`${base}/progress`);
      const sizes = await page.evaluate(() => {
        const px = (el, p) => parseFloat(getComputedStyle(el)[p]);
        const box = (sel) => document.querySelector(sel).getBoundingClientRect();
        return {
          text: px(document.querySelector("#progress-page p"), "fontSize"),
          number: box("#number").height,
          last4: box("#last4").height,
          button: box("#lookup").height,
          buttonWidth: box("#lookup").width,
          scroll: document.documentElement.scrollWidth,
        };
      });
      assert.ok(sizes.text >= 18, `text ${sizes.text}px`);
      assert.ok(sizes.number >= 48 && sizes.last4 >= 48, `inputs ${sizes.number}px, ${sizes.last4}px`);
      assert.ok(sizes.button >= 48 && sizes.buttonWidth >= 300, `button ${sizes.button}×${sizes.buttonWidth}`);
      assert.ok(sizes.scroll <= 390, `the page is ${sizes.scroll}px wide`);
      await page.screenshot({ path: join(artifacts, `progress-phone-${lang}.png`), fullPage: true });
      await page.fill("#number", ` ${order.number.toLowerCase()} `);
      await page.fill("#last4", "5678");
      await Promise.all([page.waitForLoadState("load"), page.click("#lookup")]);
      await page.waitForSelector("#progress-state");
      const result = await page.textContent("#progress-result");
      assert.ok(result.includes(order.number), result);
      assert.ok(!result.includes("限时办结") && !/\bCompletion\b/.test(result), `jargon: ${result}`);
      assert.match(result, lang === "zh" ? /银行最晚在这天告诉您处理结果/ : /The bank will tell you its answer by/);
      assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, "the result fits the phone");
      await page.screenshot({ path: join(artifacts, `progress-phone-found-${lang}.png`), fullPage: true });
      await context.close();
    });

    await test(`${lang}: every error a person can reach is a page in their language with a way back`, async () => {
      const { context, page } = await loggedIn("bj0101.teller", locale);
      const check = async (id, name) => {
        await page.waitForSelector(`#error-page #${id}`);
        const text = await page.textContent("main");
        assert.ok(!/Failed to|CSRF token|Cannot parse|Invalid URL/.test(text), `${name}: ${text}`);
        assert.equal(/[\u4e00-\u9fff]/.test(await page.textContent("#error-text")), lang === "zh", `${name} is not in ${lang}`);
        assert.ok(await page.isVisible("#error-home"), `${name}: no way home`);
        await page.screenshot({ path: join(artifacts, `error-${name}-${lang}.png`), fullPage: true });
      };
      // an over-long form: the registration's description filled past the body limit
      await page.goto(`${base}/`);
      await page.evaluate(() => {
        document.querySelector("#description").removeAttribute("maxlength");
        document.querySelector("#description").value = "长".repeat(40000);
      });
      await Promise.all([page.waitForLoadState("load"), page.click("#register-submit")]);
      await check("too-large", "too-large");
      assert.ok(await page.isVisible("#error-back"), "back to the form");
      // an address whose id does not parse
      await page.goto(`${base}/complaints/abc`);
      await check("not-found", "not-found");
      // a form without its CSRF token
      await page.goto(`${base}/`);
      await page.evaluate(() => document.querySelector("form[action='/logout'] input[name=_csrf]").remove());
      await Promise.all([page.waitForLoadState("load"), page.click("#logout")]);
      await check("csrf", "csrf");
      await Promise.all([page.waitForLoadState("load"), page.click("#error-back")]);
      assert.ok(await page.isVisible("#whoami"), "back, still logged in");
      await context.close();
    });

    await test(`${lang}: the 2027 arrangement is missing: the centre's home and the order say so`, async () => {
      const words = lang === "zh"
        ? { bank: "2027 年的节假日安排尚未导入", order: "本工单的时限延伸到 2027 年" }
        : { bank: "The holiday arrangement for 2027 is not loaded", order: "This order's deadlines run into 2027" };
      assert.ok(extended.missing_calendar_years.includes(2027), JSON.stringify(extended.missing_calendar_years));
      const centre = await loggedIn("cpc", locale);
      await centre.page.waitForSelector("#calendar-gap");
      assert.ok((await centre.page.textContent("#calendar-gap")).includes(words.bank));
      await centre.page.screenshot({ path: join(artifacts, `calendar-gap-centre-home-${lang}.png`), fullPage: false });
      await centre.context.close();
      const t = await loggedIn("bj0101.teller", locale);
      assert.ok(!(await t.page.isVisible("#calendar-gap")), "a teller's home says nothing");
      await t.page.goto(`${base}${orderPath}`);
      assert.ok((await t.page.textContent("#calendar-gap")).includes(words.order));
      await t.page.screenshot({ path: join(artifacts, `calendar-gap-order-${lang}.png`), fullPage: false });
      await t.context.close();
      const admin = await loggedIn("admin", locale);
      await admin.page.goto(`${base}${orderPath}`);
      assert.equal(await admin.page.locator("#calendar-gap").count(), 1);
      await Promise.all([admin.page.waitForURL(/\/admin\/calendar\?year=2027$/), admin.page.click("#calendar-gap-load")]);
      await admin.page.screenshot({ path: join(artifacts, `calendar-gap-admin-${lang}.png`), fullPage: false });
      await admin.context.close();
    });
  }
}
