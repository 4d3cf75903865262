// At phone width no page is wider than the screen: every link of the menu, as each role that has
// it, in both languages. A page wider than the phone is zoomed out by the browser, and then a
// button at the edge is covered by the text above it.
import assert from "node:assert/strict";

export default async function ({ test, base, browser, PASSWORD }) {
  const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
  for (const locale of ["zh-CN", "en-US"]) {
    await test(`${locale}: at phone width every page of the menu fits the screen, for each role`, async () => {
      const wide = [];
      for (const user of ["cpc", "bj.service", "bj01.ops", "bj0101.head", "bj0101.teller", "admin"]) {
        const context = await browser.newContext({ ...phone, locale });
        const page = await context.newPage();
        await page.goto(`${base}/login`);
        await page.fill("#username", user);
        await page.fill("#password", PASSWORD);
        await Promise.all([page.waitForURL(`${base}/`), page.click("#login")]);
        const links = await page.$$eval("nav.main a", (as) => as.map((a) => a.getAttribute("href")));
        assert.ok(links.length >= 2, `${user} has a menu`);
        for (const href of links) {
          await page.goto(`${base}${href}`);
          const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.screen.width]);
          if (scroll > inner) wide.push(`${user} ${href}: ${scroll}px in ${inner}px`);
        }
        await context.close();
      }
      assert.deepEqual(wide, [], "pages wider than the phone");
    });
  }
}
