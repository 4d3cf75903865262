// Registration as a teller does it (every mistake at once, the live counter, the receipt), and the
// order page's facts and panels at desktop and phone width, in both languages.
import assert from "node:assert/strict";
import { join } from "node:path";

export default async function ({ test, loggedIn, base, artifacts, browser }) {
  let receiptPath = null;

  await test("three mistakes are shown at once, the counter warns, and the receipt prints", async () => {
    const { context, page } = await loggedIn("bj0101.teller");
    await page.fill("#phone", "12345");
    await page.fill("#amount", "abc");
    await page.fill("#description", "客户反映柜台办理时间过长。");
    await page.click("#register-submit");
    await page.waitForSelector("#register-errors");
    for (const field of ["complainant.name", "complainant.phone", "summary", "amount"]) {
      const words = await page.textContent(`.field-error[data-field="${field}"]`);
      assert.ok(words.trim().length > 0 && !words.includes(":"), `${field} in words: ${words}`);
    }
    assert.match(await page.textContent("#register-errors"), /4 处需要更正/);
    await page.screenshot({ path: join(artifacts, "register-all-errors.png"), fullPage: true });
    // the counter counts and marks a letter over the limit
    await page.fill("#description", "长".repeat(4100));
    assert.match(await page.textContent("#description + .counter"), /4100 \/ 4000/);
    assert.ok(await page.$eval("#description + .counter", (e) => e.classList.contains("over")));
    await page.screenshot({ path: join(artifacts, "register-counter-over.png") });
    await page.fill("#description", "客户反映柜台办理时间过长，只开了两个窗口。");
    await page.fill("#name", "周桂芳");
    await page.fill("#phone", "13611112222");
    await page.fill("#amount", "");
    await page.fill("#summary", "柜台办理时间过长");
    await Promise.all([page.waitForURL(/\/complaints\/\d+$/), page.click("#register-submit")]);
    assert.match(await page.textContent("#done"), /投诉已登记/);
    await Promise.all([page.waitForURL(/\/receipt$/), page.click("#print-receipt")]);
    receiptPath = new URL(page.url()).pathname;
    assert.match(await page.textContent("#receipt-number"), /^TS\d+/);
    assert.match(await page.textContent("#receipt-due"), /^\d{4}-\d{2}-\d{2} (24:00|\d{2}:\d{2})$/);
    assert.match(await page.textContent("#receipt-hotline"), /400-000-0000/);
    assert.match(await page.textContent("#receipt-address"), /\/progress\?number=TS\d+/);
    assert.ok(await page.$("#receipt-qr svg"), "the QR code");
    // the print button prints (no script may sit in the page: it is the page's script that listens)
    await page.evaluate(() => { window.printed = 0; window.print = () => { window.printed += 1; }; });
    await page.click("#print");
    assert.equal(await page.evaluate(() => window.printed), 1, "the print button opens printing");
    await page.screenshot({ path: join(artifacts, "receipt.png"), fullPage: true });
    await page.emulateMedia({ media: "print" });
    assert.equal(await page.isVisible("header"), false, "the print has no menus");
    await page.screenshot({ path: join(artifacts, "receipt-print.png"), fullPage: true });
    await page.emulateMedia({ media: "screen" });
    // found again by the phone as the teller sees it, masked
    const number = (await page.textContent("#receipt-number")).trim();
    await page.goto(`${base}/complaints`);
    await page.fill("#f-q", "136****2222");
    await Promise.all([page.waitForURL(/q=/), page.press("#f-q", "Enter")]);
    assert.match(await page.textContent("#orders"), new RegExp(number));
    await page.screenshot({ path: join(artifacts, "search-by-phone.png"), fullPage: true });
    await context.close();
  });

  await test("the order page at phone width: facts first, the main step open, others folded", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill("#username", "bj0101.head");
    await page.fill("#password", "xiaobao2026");
    await Promise.all([page.waitForURL(`${base}/`), page.click("#login")]);
    const orderPath = receiptPath.replace(/\/receipt$/, "");
    await page.goto(`${base}${orderPath}`);
    assert.match(await page.textContent("#fact-channel"), /\S/);
    assert.match(await page.textContent(".clock"), /截止 \d{4}-\d{2}-\d{2}/);
    assert.ok(await page.isVisible("#panel-accept"), "the main step is open");
    assert.equal(await page.isVisible("#action-transfer"), false, "the others are folded");
    await page.screenshot({ path: join(artifacts, "order-phone.png"), fullPage: true });
    const wide = await page.evaluate(() => [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > 392).slice(0, 5).map((e) => e.tagName + "#" + e.id + "." + e.className));
    assert.deepEqual(wide, [], "nothing wider than the phone");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 392, `the page scrolls sideways: ${width}`);
    await Promise.all([page.waitForURL(`${base}${orderPath}`), page.click("#action-accept button")]);
    assert.match(await page.textContent("#done"), /已受理/);
    // the transfer picker finds units by name or code
    await page.click("#panel-transfer summary");
    const options = await page.$$eval("#transfer-units option", (os) => os.map((o) => o.value + " " + o.textContent));
    assert.ok(options.some((o) => /^BJ0102 /.test(o)), options.join(","));
    await page.screenshot({ path: join(artifacts, "order-phone-accepted.png"), fullPage: true });
    await context.close();
  });

  await test("the order page in English names everything in English", async () => {
    const { context, page } = await loggedIn("bj0101.head", "en-US");
    await page.goto(`${base}${receiptPath.replace(/\/receipt$/, "")}`);
    assert.match(await page.textContent("#actions"), /Next step/);
    assert.doesNotMatch(await page.textContent("main"), /截止|下一步/);
    await page.screenshot({ path: join(artifacts, "order-en.png"), fullPage: true });
    await page.goto(`${base}${receiptPath}`);
    assert.match(await page.textContent("#receipt"), /Complaint receipt/);
    await page.screenshot({ path: join(artifacts, "receipt-en.png"), fullPage: true });
    await context.close();
  });
}
