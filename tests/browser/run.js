// Browser test of the help-desk console (run by ctest): Debian's chromium driven by playwright-core
// (from npm, installed under the build folder when missing; never a browser download). Spawns
// tests/browser/browser_fixture (the real service + a fake Graph API, a conversation waiting in the
// queue and a payment proof pending), then as an officer: signs in, sees the queued conversation,
// takes it over, replies (the fake Graph API must receive it), verifies the payment proof, releases
// the conversation, and saves build/console-screenshot.png.
'use strict';

const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const readline = require('readline');

const buildDir = process.env.TILANGBOT_BUILD_DIR || path.resolve(__dirname, '..', '..', 'build');
const fixturePath = process.env.BROWSER_FIXTURE || path.join(buildDir, 'tests', 'browser_fixture');
const depsDir = path.join(buildDir, 'browser-deps');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const screenshot = path.join(buildDir, 'console-screenshot.png');

let passed = 0;
function check(condition, what) {
  if (!condition) throw new Error('FAILED: ' + what);
  passed += 1;
  console.log('ok - ' + what);
}

function loadPlaywright() {
  const moduleDir = path.join(depsDir, 'node_modules', 'playwright-core');
  if (!fs.existsSync(path.join(moduleDir, 'package.json'))) {
    fs.mkdirSync(depsDir, { recursive: true });
    const pkg = path.join(depsDir, 'package.json');
    if (!fs.existsSync(pkg)) fs.writeFileSync(pkg, JSON.stringify({ name: 'tilangbot-browser-deps', private: true }) + '\n');
    console.log('installing playwright-core into ' + depsDir);
    // playwright-core ships no browser and downloads none; Debian's chromium is used.
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', depsDir, 'playwright-core'], {
      stdio: 'inherit', env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
    });
  }
  return require(moduleDir);
}

// The fixture: one JSON line on start, then one JSON answer per command line.
function startFixture(proofFile) {
  const child = spawn(fixturePath, ['--proof', proofFile], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = readline.createInterface({ input: child.stdout });
  const waiting = [];
  const queued = [];
  lines.on('line', (line) => {
    if (waiting.length) waiting.shift()(line);
    else queued.push(line);
  });
  let log = '';
  child.stderr.on('data', (d) => { log += d.toString(); });
  const nextLine = () => new Promise((resolve, reject) => {
    if (queued.length) return resolve(queued.shift());
    const timer = setTimeout(() => reject(new Error('fixture did not answer; its log:\n' + log.slice(-4000))), 60000);
    waiting.push((line) => { clearTimeout(timer); resolve(line); });
  });
  child.on('exit', (code) => {
    if (code !== 0 && code !== null) console.error('fixture exited with ' + code + '\n' + log.slice(-4000));
  });
  return {
    child,
    ready: async () => JSON.parse(await nextLine()),
    ask: async (command) => { child.stdin.write(command + '\n'); return JSON.parse(await nextLine()); },
    stop: () => new Promise((resolve) => { child.on('exit', resolve); child.stdin.end(); }),
  };
}

async function poll(what, fn, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main() {
  const { chromium } = loadPlaywright();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tilangbot-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1500, height: 900 },
    locale: 'id-ID',
    timezoneId: 'Asia/Jakarta',
  });
  let fixture = null;
  try {
    const page = context.pages()[0] || await context.newPage();

    // A picture of a transfer receipt for the payment proof, drawn by the browser itself.
    await page.setContent(`<body style="margin:0;width:360px;height:480px;font-family:sans-serif;background:#fff">
      <div style="background:#00529c;color:#fff;padding:14px;font-size:20px;font-weight:bold">BANK BRI · Bukti Transfer</div>
      <div style="padding:16px;font-size:15px;line-height:1.9">Tanggal: 23-11-2026<br>Ke: Kejari Jakarta Pusat<br>
      No. register: E1234567<br><b style="font-size:22px">Rp505.000</b><br>Status: <b style="color:green">BERHASIL</b></div></body>`);
    await page.setViewportSize({ width: 360, height: 480 });
    const proofFile = path.join(userDataDir, 'proof.jpg');
    await page.screenshot({ path: proofFile, type: 'jpeg', quality: 80 });
    await page.setViewportSize({ width: 1500, height: 900 });

    fixture = startFixture(proofFile);
    const info = await fixture.ready();
    check(info.console_url.startsWith('http://127.0.0.1:'), 'fixture serves the console on loopback');

    // Media is for signed-in officers only.
    const anonymous = await fetch(info.base_url + '/api/v1/payments?state=pending');
    check(anonymous.status === 401, 'the API refuses a caller without a session');

    await page.goto(info.console_url);
    await page.waitForSelector('#login-form', { state: 'visible' });
    check((await page.title()).includes('Konsol Petugas'), 'the console page loads (login form)');
    await page.fill('#login-username', info.username);
    await page.fill('#login-password', 'salah-sekali');
    await page.click('#login-submit');
    await page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0);
    check((await page.textContent('#login-error')).includes('salah'), 'a wrong password is refused');
    await page.fill('#login-password', info.password);
    await page.click('#login-submit');
    await page.waitForSelector('#app-view', { state: 'visible' });
    const cookies = await context.cookies(info.base_url);
    const session = cookies.find((c) => c.name === 'tilang_session');
    check(session && session.httpOnly && session.sameSite === 'Strict', 'the session cookie is HttpOnly and SameSite=Strict');

    // The queued conversation, masked for the agent role, with its waiting time.
    const item = page.locator('.queue-item', { hasText: '62812****890' });
    await item.waitFor({ state: 'visible' });
    check((await item.textContent()).includes('menunggu'), 'the queue shows the waiting conversation with its waiting time');
    check(!(await page.content()).includes(info.queued_user), 'the agent never receives the full phone number');
    await item.click();
    await page.waitForSelector('#chat', { state: 'visible' });
    await page.locator('#transcript .msg.in', { hasText: 'petugas' }).waitFor();
    check(true, 'the transcript shows the user asking for an officer');

    await page.click('#btn-takeover');
    await page.waitForSelector('#reply-form', { state: 'visible' });
    check(await page.isDisabled('#btn-takeover'), 'the conversation is taken over');

    // A canned response fills the box; the officer edits and sends.
    await page.selectOption('#canned', { label: 'Salam' });
    check((await page.inputValue('#reply-text')).includes('Selamat datang'), 'a canned response fills the reply box');
    const reply = 'Selamat siang Bapak, denda E1234567 sebesar Rp505.000 sudah kami cek.';
    await page.fill('#reply-text', reply);
    await page.click('#reply-send');
    const sent = await poll('the fake Graph API to receive the reply', async () => {
      const messages = await fixture.ask('sent ' + info.queued_user);
      return messages.find((m) => m.type === 'text' && m.text && m.text.body === reply);
    });
    check(sent.to === info.queued_user, 'the fake Graph API received the officer\'s reply');
    await page.locator('#transcript .msg.out.agent', { hasText: 'sudah kami cek' }).waitFor();
    check(true, 'the reply appears in the transcript');

    // Payment verification: the proof image beside the fine.
    const payment = page.locator('.payment').first();
    await payment.waitFor({ state: 'visible' });
    await poll('the proof image to load', () => payment.locator('img').evaluate((img) => img.complete && img.naturalWidth > 0));
    check((await payment.textContent()).includes('Rp505.000'), 'the fine total is shown beside the proof');
    await page.locator('#transcript .msg.out.agent .foot', { hasText: /terkirim|diterima|sampai|dibaca/ }).first()
      .waitFor({ timeout: 15000 }).catch(() => {});
    await page.screenshot({ path: screenshot, fullPage: false });
    check(fs.statSync(screenshot).size > 10000, 'screenshot saved to ' + screenshot);

    await payment.locator('.btn-verify').click();
    await poll('the payment to be verified', async () => (await fixture.ask('payments')).verified === 1);
    check(true, 'the payment proof is verified');
    await poll('the verification message to reach the payer', async () =>
      JSON.stringify(await fixture.ask('sent ' + info.payer)).includes('diverifikasi'));
    check(true, 'the payer is told on WhatsApp');

    await page.click('#btn-release');
    await poll('the conversation to go back to the bot', async () => (await fixture.ask('mode ' + info.queued_user)).mode === 'bot');
    check(true, 'the conversation is released to the bot');
    await poll('the menu to be sent after release', async () =>
      (await fixture.ask('sent ' + info.queued_user)).some((m) => m.type === 'interactive'));
    check(true, 'the bot resumes with the menu');

    await page.click('#logout');
    await page.waitForSelector('#login-form', { state: 'visible' });
    check(true, 'logout returns to the login form');

    // An admin carries out a user's request to delete their data (UU 27/2022).
    await page.fill('#login-username', info.admin_username);
    await page.fill('#login-password', info.admin_password);
    await page.click('#login-submit');
    await page.waitForSelector('#audit-card', { state: 'visible' });
    check((await fixture.ask('messages ' + info.payer)).count > 0, 'the payer has stored messages before the erasure');
    page.once('dialog', (dialog) => dialog.accept());
    await page.fill('#erase-wa', '0' + info.payer.slice(2));  // as people write it: 0812...
    await page.click('#btn-erase');
    await page.waitForFunction((wa) => {
      const text = document.getElementById('toast').textContent;
      return text.includes('dihapus') && text.includes(wa);
    }, info.payer);
    check(true, 'the console confirms the erasure of the payer\'s data');
    check((await fixture.ask('messages ' + info.payer)).count === 0, 'the payer\'s messages are deleted');
    check((await fixture.ask('messages ' + info.queued_user)).count > 0, 'other users\' messages stay');
  } finally {
    await context.close().catch(() => {});
    if (fixture) await fixture.stop();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

const watchdog = setTimeout(() => { console.error('browser test timed out'); process.exit(1); }, 300000);
main().then(() => {
  clearTimeout(watchdog);
  console.log(passed + ' passed, 0 failed');
}, (e) => {
  clearTimeout(watchdog);
  console.error(e && e.stack ? e.stack : e);
  console.log(passed + ' passed, 1 failed');
  process.exit(1);
});
