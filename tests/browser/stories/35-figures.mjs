// Figures as people read them: on the measures, league, reports and board pages every count, figure
// per 10,000 and rate is grouped by thousands (151,193,041), in Chinese and English.
import assert from "node:assert/strict";
import { join } from "node:path";

export default async function ({ test, loggedIn, base, artifacts, PASSWORD }) {
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
  const cpc = (await api(null, "POST", "/api/v1/session", { username: "cpc", password: PASSWORD })).token;
  // this month in Beijing
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const month = today.slice(0, 7);
  await api(cpc, "PUT", "/api/v1/period-stats", { org_unit: "BJ0101", period: month, customers: 151193041, transactions: 2000000 });

  // every figure cell of the page: none is four digits or more without its separators
  const ungrouped = (page) =>
    page.$$eval("td.num, th.num", (cells) => cells.map((c) => c.textContent.trim()).filter((t) => /\d{4,}/.test(t.replace(/\.\d+/, ""))));

  for (const [locale, lang] of [["zh-CN", "zh"], ["en-US", "en"]]) {
    await test(`${lang}: the measures, league, reports and board group their figures by thousands`, async () => {
      const { context, page } = await loggedIn("cpc", locale);
      await page.goto(`${base}/measures?org_unit=BJ0101&from=${month}-01&to=${today}`);
      assert.equal((await page.textContent("#customers")).trim(), "151,193,041");
      assert.deepEqual(await ungrouped(page), []);
      await page.screenshot({ path: join(artifacts, `figures-measures-${lang}.png`), fullPage: true });
      for (const path of [
        `/measures?by=unit`,
        `/measures?by=month`,
        `/league?org_unit=HO&measure=received`,
        `/reports?org_unit=HO&period=${today.slice(0, 4)}`,
        `/`,
      ]) {
        await page.goto(`${base}${path}`);
        assert.deepEqual(await ungrouped(page), [], path);
      }
      // the whole bank's year holds more than a thousand complaints: shown with its comma
      await page.goto(`${base}/measures?from=${today.slice(0, 4)}-01-01&to=${today}`);
      const received = (await page.textContent("#received")).trim();
      assert.match(received, /^\d{1,3}(,\d{3})*$/);
      await page.screenshot({ path: join(artifacts, `figures-bank-${lang}.png`), fullPage: true });
      await context.close();
    });
  }
}
