// What the administrators do to users and the rules: disabling a user ends the session they have
// open at once, a reset password must be changed before anything else opens, and the deadline
// policy is a form whose mistakes are shown beside their fields, and an integration token's secret is
// shown once and the token revoked after a confirmation. Desktop and phone, both languages.
import assert from "node:assert/strict";
import { join } from "node:path";

export default async function ({ test, loggedIn, base, artifacts, browser, PASSWORD }) {
  const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

  async function loginAs(username, password, options = {}) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN", ...options });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill("#username", username);
    await page.fill("#password", password);
    await page.click("#login");
    await page.waitForLoadState("load");
    return { context, page };
  }

  // every confirmation is read and accepted, as a careful administrator would
  function acceptDialogs(page, seen) {
    page.on("dialog", async (d) => { seen.push(d.message()); await d.accept(); });
  }

  await test("disabling a user ends the session they have open: their next page is the login", async () => {
    const teller = await loggedIn("bj0102.teller");
    await teller.page.goto(`${base}/complaints`);
    assert.equal(new URL(teller.page.url()).pathname, "/complaints");

    const admin = await loggedIn("admin");
    const asked = [];
    acceptDialogs(admin.page, asked);
    await admin.page.goto(`${base}/admin/users`);
    await admin.page.screenshot({ path: join(artifacts, "admin-users-list.png"), fullPage: true });
    await Promise.all([admin.page.waitForURL(/done=disabled/), admin.page.click("#list-disable-bj0102\\.teller")]);
    assert.match(asked[0], /停用用户 bj0102\.teller/, "asked before acting");
    assert.match(await admin.page.textContent("#notice"), /已停用用户 bj0102\.teller/);
    await admin.page.screenshot({ path: join(artifacts, "admin-user-disabled.png"), fullPage: true });

    // the teller's very next page
    await teller.page.goto(`${base}/complaints`);
    assert.equal(new URL(teller.page.url()).pathname, "/login");
    const again = await loginAs("bj0102.teller", PASSWORD);
    assert.match(await again.page.textContent("#login-error"), /./, "a disabled user cannot log in");
    await again.context.close();

    await Promise.all([admin.page.waitForURL(/done=enabled/), admin.page.click("#list-enable-bj0102\\.teller")]);
    assert.match(await admin.page.textContent("#notice"), /已启用用户 bj0102\.teller/);
    const back = await loginAs("bj0102.teller", PASSWORD);
    assert.equal(new URL(back.page.url()).pathname, "/");
    await Promise.all([back.context.close(), teller.context.close(), admin.context.close()]);
  });

  await test("a reset password is shown once and must be changed before anything else opens", async () => {
    const admin = await loggedIn("admin");
    const asked = [];
    acceptDialogs(admin.page, asked);
    await admin.page.goto(`${base}/admin/users/bj0101.lobby`);
    // a typed password that breaks the rule: every reason beside the field
    await admin.page.fill("#r-password", "abc");
    await admin.page.click("#reset-user");
    await admin.page.waitForSelector('#reset-form .field-error[data-field="password"]');
    assert.equal(await admin.page.locator('#reset-form .field-error[data-field="password"]').count(), 2);
    await admin.page.click("#reset-user");
    await admin.page.waitForSelector("#temporary-password");
    const temporary = (await admin.page.textContent("#temporary-password")).trim();
    assert.match(asked.at(-1), /重置 bj0101\.lobby 的密码/);
    await admin.page.screenshot({ path: join(artifacts, "admin-user-reset.png"), fullPage: true });
    await admin.page.goto(`${base}/admin/users/bj0101.lobby`);
    assert.equal(await admin.page.locator("#temporary-password").count(), 0, "shown once");

    const user = await loginAs("bj0101.lobby", temporary, phone);
    assert.equal(new URL(user.page.url()).pathname, "/password");
    await user.page.goto(`${base}/complaints`);
    assert.equal(new URL(user.page.url()).pathname, "/password", "nothing else opens");
    await user.page.fill("#current_password", "wrong");
    await user.page.fill("#new_password", "bj0101.lobby1");
    await user.page.fill("#new_password_again", "different");
    await user.page.click("#change-password");
    for (const f of ["current_password", "new_password", "new_password_again"]) {
      await user.page.waitForSelector(`.field-error[data-field="${f}"]`);
    }
    await user.page.screenshot({ path: join(artifacts, "password-change-errors-phone.png"), fullPage: true });
    await user.page.fill("#current_password", temporary);
    await user.page.fill("#new_password", "lobby-own-2026");
    await user.page.fill("#new_password_again", "lobby-own-2026");
    await Promise.all([user.page.waitForURL(`${base}/`), user.page.click("#change-password")]);
    await user.page.goto(`${base}/complaints`);
    assert.equal(new URL(user.page.url()).pathname, "/complaints");
    await Promise.all([user.context.close(), admin.context.close()]);
  });

  await test("the deadline policy is a form: mistakes beside their fields, values kept, saved with a notice", async () => {
    const admin = await loggedIn("admin");
    acceptDialogs(admin.page, []);
    await admin.page.goto(`${base}/admin/policy`);
    await admin.page.screenshot({ path: join(artifacts, "admin-policy-form.png"), fullPage: true });
    await admin.page.fill('[id="decision.period.length"]', "0");
    await admin.page.fill('[id="review.warn_at"]', "80, 50");
    await admin.page.fill('[id="repeat_window_days"]', "0");
    await admin.page.fill('[id="opening_hours.close"]', "08:00");
    await admin.page.click("#save-policy");
    for (const f of ["decision.period.length", "review.warn_at", "repeat_window_days", "opening_hours.close"]) {
      await admin.page.waitForSelector(`.field-error[data-field="${f}"]`);
    }
    assert.equal(await admin.page.inputValue('[id="review.warn_at"]'), "80, 50", "typed values are kept");
    await admin.page.screenshot({ path: join(artifacts, "admin-policy-errors.png"), fullPage: true });
    await admin.page.fill('[id="decision.period.length"]', "15");
    await admin.page.fill('[id="review.warn_at"]', "80");
    await admin.page.fill('[id="repeat_window_days"]', "90");
    await admin.page.fill('[id="opening_hours.close"]', "17:30");
    await Promise.all([admin.page.waitForURL(/saved=1/), admin.page.click("#save-policy")]);
    assert.match(await admin.page.textContent("#notice"), /时限规则已保存/);
    assert.equal(await admin.page.inputValue('[id="opening_hours.close"]'), "17:30");
    await admin.context.close();
  });

  await test("the users' and the policy's pages in English and on a phone", async () => {
    const en = await loggedIn("admin", "en");
    await en.page.goto(`${base}/admin/users`);
    assert.match(await en.page.textContent("#users thead"), /Actions/);
    await en.page.screenshot({ path: join(artifacts, "admin-users-en.png"), fullPage: true });
    await en.page.goto(`${base}/admin/policy`);
    await en.page.fill('[id="decision.period.length"]', "0");
    en.page.on("dialog", (d) => d.accept());
    await en.page.click("#save-policy");
    await en.page.waitForSelector('.field-error[data-field="decision.period.length"]');
    assert.match(await en.page.textContent('.field-error[data-field="decision.period.length"]'), /between 1 and/);
    await en.page.screenshot({ path: join(artifacts, "admin-policy-errors-en.png"), fullPage: true });
    await en.context.close();

    const small = await loginAs("admin", PASSWORD, phone);
    await small.page.goto(`${base}/admin/users`);
    await small.page.screenshot({ path: join(artifacts, "admin-users-phone.png"), fullPage: true });
    await small.page.goto(`${base}/admin/policy`);
    await small.page.screenshot({ path: join(artifacts, "admin-policy-phone.png"), fullPage: true });
    await small.context.close();
  });

  await test("an integration token: made for an outlet, its secret shown once, revoked after a confirmation", async () => {
    const admin = await loggedIn("admin");
    const asked = [];
    acceptDialogs(admin.page, asked);
    await admin.page.goto(`${base}/admin`);
    await Promise.all([admin.page.waitForURL(`${base}/admin/integrations`), admin.page.click('#admin-tabs a[href="/admin/integrations"]')]);
    assert.match(await admin.page.textContent("#no-integrations"), /尚无集成令牌/);
    await admin.page.screenshot({ path: join(artifacts, "admin-integrations-empty.png"), fullPage: true });

    // a queue system at a sub-branch is refused beside the unit, the name kept
    await admin.page.selectOption("#i-kind", "queue");
    await admin.page.fill("#i-name", "大厅叫号机");
    await admin.page.fill("#i-unit", "BJ01");
    await admin.page.click("#make-integration");
    await admin.page.waitForSelector('#add-integration .field-error[data-field="org_unit"]');
    assert.match(await admin.page.textContent('.field-error[data-field="org_unit"]'), /不是网点/);
    assert.equal(await admin.page.inputValue("#i-name"), "大厅叫号机");
    assert.equal(await admin.page.inputValue("#i-kind"), "queue");
    await admin.page.screenshot({ path: join(artifacts, "admin-integrations-errors.png"), fullPage: true });

    // the outlet picked from the list of units
    assert.ok(await admin.page.locator('#integration-units option[value="BJ0101"]').count() === 1);
    await admin.page.fill("#i-unit", "BJ0101");
    await Promise.all([admin.page.waitForLoadState("load"), admin.page.click("#make-integration")]);
    await admin.page.waitForSelector("#integration-secret");
    const secret = (await admin.page.textContent("#integration-secret")).trim();
    assert.match(secret, /^xbi_[0-9a-f]{64}$/);
    assert.match(await admin.page.textContent("#shown-once"), /只显示这一次/);
    assert.equal((await admin.page.textContent("#integration-endpoint")).trim(), "POST /api/v1/queue-tickets");
    assert.ok(await admin.page.isVisible("#copy-secret"), "the copy button shows where the script runs");
    assert.equal(await admin.page.evaluate(() => getComputedStyle(document.getElementById("integration-secret")).fontFamily.includes("monospace")), true);
    assert.ok(!admin.page.url().includes(secret), "never in an address");
    await admin.page.screenshot({ path: join(artifacts, "admin-integration-secret.png"), fullPage: true });

    // the device uses it
    const ticket = { tickets: [{ outlet: "BJ0101", number: "A001", business: "personal", taken_at: "2025-01-06T09:00:00+08:00" }] };
    const send = () => fetch(`${base}/api/v1/queue-tickets`, {
      method: "POST", headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" }, body: JSON.stringify(ticket),
    });
    const first = await send();
    assert.equal(first.status, 200, `the token opens the queue endpoint: ${await first.text()}`);

    await Promise.all([admin.page.waitForURL(`${base}/admin/integrations`), admin.page.click("#back-to-integrations")]);
    assert.equal(await admin.page.locator("#integration-secret").count(), 0, "shown once");
    assert.ok(!(await admin.page.content()).includes(secret));
    const row = admin.page.locator("#integrations tr[data-kind=queue]");
    assert.match(await row.textContent(), /大厅叫号机.*排队叫号系统.*BJ0101.*使用中/s);
    await admin.page.screenshot({ path: join(artifacts, "admin-integrations-list.png"), fullPage: true });

    await Promise.all([admin.page.waitForURL(/done=revoked/), row.locator("button[id^=revoke-]").click()]);
    assert.match(asked.at(-1), /吊销令牌“大厅叫号机”/, "asked before revoking");
    assert.match(await admin.page.textContent("#notice"), /已吊销令牌“大厅叫号机”/);
    assert.match(await admin.page.locator("#integrations tr[data-kind=queue]").textContent(), /已吊销/);
    assert.equal((await send()).status, 401, "a revoked token is refused");
    await admin.page.screenshot({ path: join(artifacts, "admin-integrations-revoked.png"), fullPage: true });
    await admin.context.close();
  });

  await test("the integration tokens in English and on a phone", async () => {
    const en = await loggedIn("admin", "en");
    await en.page.goto(`${base}/admin/integrations`);
    assert.match(await en.page.textContent("#integrations thead"), /Made by/);
    assert.doesNotMatch(await en.page.content(), /⟦/);
    await en.page.screenshot({ path: join(artifacts, "admin-integrations-en.png"), fullPage: true });
    await en.page.selectOption("#i-kind", "evaluator");
    await en.page.fill("#i-name", "Window 3 evaluator");
    await en.page.fill("#i-unit", "BJ0102");
    await Promise.all([en.page.waitForLoadState("load"), en.page.click("#make-integration")]);
    await en.page.waitForSelector("#integration-secret");
    assert.match(await en.page.textContent("#shown-once"), /shown this once/);
    assert.doesNotMatch(await en.page.content(), /⟦/);
    await en.page.screenshot({ path: join(artifacts, "admin-integration-secret-en.png"), fullPage: true });
    await en.context.close();

    const small = await loginAs("admin", PASSWORD, phone);
    await small.page.goto(`${base}/admin/integrations`);
    await small.page.screenshot({ path: join(artifacts, "admin-integrations-phone.png"), fullPage: true });
    await small.page.selectOption("#i-kind", "queue");
    await small.page.fill("#i-name", "叫号机");
    await small.page.fill("#i-unit", "BJ0103");
    await Promise.all([small.page.waitForLoadState("load"), small.page.click("#make-integration")]);
    await small.page.waitForSelector("#integration-secret");
    await small.page.screenshot({ path: join(artifacts, "admin-integration-secret-phone.png"), fullPage: true });
    const phoneEn = await loginAs("admin", PASSWORD, { ...phone, locale: "en" });
    await phoneEn.page.goto(`${base}/admin/integrations`);
    await phoneEn.page.screenshot({ path: join(artifacts, "admin-integrations-phone-en.png"), fullPage: true });
    await Promise.all([small.context.close(), phoneEn.context.close()]);
  });
}
