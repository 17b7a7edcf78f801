// The review page in real headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core). Run by tests/it/review.rs:
//   node tests/e2e/review.mjs SESSION_DIR/review.html OUT_DIR
// Checks the page against the session.json beside it; saves screenshots, a PDF print and the
// downloaded speakers.toml in OUT_DIR; prints what it measured as JSON. Exit 1 on a failed check.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [pagePath, out] = process.argv.slice(2);
if (!pagePath || !out) {
  console.error("usage: node review.mjs SESSION_DIR/review.html OUT_DIR");
  process.exit(2);
}
fs.mkdirSync(out, { recursive: true });
const session = JSON.parse(fs.readFileSync(path.join(path.dirname(pagePath), "session.json"), "utf8"));
const url = pathToFileURL(path.resolve(pagePath)).href;
const NEW_NAME = 'Rosa "Chair" Ruiz';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
    "--disable-component-update", "--disable-sync", "--disable-quic"],
});
const measured = {};
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  // Self-contained: nothing but the page, the recording and the names file it makes.
  const network = [];
  page.on("request", r => { if (!/^(file|blob|data):/.test(r.url())) network.push(r.url()); });
  const errors = [];
  page.on("pageerror", e => errors.push(String(e)));
  page.on("console", m => { if (m.type() === "error") errors.push(m.text()); });

  await page.goto(url);
  // The recording loads from its relative link.
  await page.waitForFunction(() => { const p = document.getElementById("player"); return p.readyState >= 1 || p.error; }, null, { timeout: 20000 });
  const src = await page.evaluate(() => document.getElementById("player").currentSrc);
  assert.equal(await page.evaluate(() => document.getElementById("player").error), null, `the recording did not load from ${src}`);
  measured.duration = await page.evaluate(() => document.getElementById("player").duration);
  assert.ok(Math.abs(measured.duration - session.duration_s) < 0.1, `player duration ${measured.duration} vs ${session.duration_s}`);

  const turns = page.locator("li.turn");
  assert.equal(await turns.count(), session.turns.length, "one turn on the page per turn in session.json");

  // Runs `action` and returns the player's currentTime when the seek it causes starts (the
  // position asked for) and when it is done (where the decoder landed: Chromium lands on the
  // nearest audio frame, a few milliseconds on).
  async function seekedAfter(action) {
    await page.evaluate(() => {
      const p = document.getElementById("player");
      window.__seeking = new Promise(r => p.addEventListener("seeking", () => r(p.currentTime), { once: true }));
      window.__seeked = new Promise(r => p.addEventListener("seeked", () => r(p.currentTime), { once: true }));
    });
    await action();
    const within = (promise, what) => Promise.race([promise, new Promise((_, no) => setTimeout(() => no(new Error(`no ${what} event within 10 s`)), 10000))]);
    const asked = await within(page.evaluate(() => window.__seeking), "seeking");
    const landed = await within(page.evaluate(() => window.__seeked), "seeked");
    console.error(`seek: asked ${asked}, landed ${landed}`);
    assert.ok(Math.abs(landed - asked) < 0.05, `seek asked for ${asked}, landed at ${landed}`);
    return asked;
  }

  // Clicking the third turn plays from its start, and highlights it.
  const third = session.turns[2];
  measured.third_turn_start = third.start;
  measured.current_time_after_click = await seekedAfter(() => turns.nth(2).click());
  assert.equal(measured.current_time_after_click, third.start, "currentTime after clicking the third turn");
  await page.waitForFunction(() => document.querySelectorAll("li.turn")[2].classList.contains("current"));
  await page.evaluate(() => { document.getElementById("player").pause(); scrollTo(0, 0); });
  await page.screenshot({ path: path.join(out, "review.png"), fullPage: true });

  // Keyboard: a turn's time is a button; Enter on it plays from there.
  const fifth = session.turns[Math.min(4, session.turns.length - 1)];
  await turns.nth(Math.min(4, session.turns.length - 1)).locator("button.seek").focus();
  measured.current_time_after_enter = await seekedAfter(() => page.keyboard.press("Enter"));
  assert.equal(measured.current_time_after_enter, fifth.start, "Enter on a turn's time plays from its start");

  // A time link in the draft plays in the page: the first one, and the last recommendation's
  // in the minutes.
  const recommendation = page.locator('xpath=//section[@id="draft"]//h2[starts-with(normalize-space(), "Recommendations")]/following-sibling::*[1]//a[contains(@href,"#t=")]').last();
  measured.links = [];
  for (const link of [page.locator('#draft a[href*="#t="]').first(), recommendation]) {
    const linked = parseFloat((await link.getAttribute("href")).split("#t=")[1]);
    const played = await seekedAfter(() => link.click());
    assert.ok(Math.abs(played - linked) < 1e-6, `link to ${linked} played from ${played}`);
    measured.links.push({ linked, played });
  }
  assert.equal(page.url(), url, "a time link stays on the page");

  // The timeline: a click halfway along the plot plays from halfway through.
  const svg = page.locator("svg.timeline");
  const box = await svg.boundingBox();
  const geo = await svg.evaluate(s => ({ x0: +s.dataset.x0, width: +s.dataset.width, vb: s.viewBox.baseVal.width }));
  const position = { x: ((geo.x0 + 0.5 * geo.width) / geo.vb) * box.width, y: box.height / 3 };
  measured.current_time_after_timeline = await seekedAfter(() => svg.click({ position }));
  assert.ok(Math.abs(measured.current_time_after_timeline - session.duration_s / 2) < session.duration_s * 0.01, `timeline halfway gave ${measured.current_time_after_timeline}`);
  await page.evaluate(() => document.getElementById("player").pause());

  // While it plays, the turn being played is highlighted and scrolled into the transcript's
  // view: play across the start of the last turn with the transcript scrolled to its top.
  const last = session.turns.length - 1;
  await page.evaluate(() => { document.querySelector(".turns").scrollTop = 0; });
  await seekedAfter(() => page.evaluate(t => { const p = document.getElementById("player"); p.currentTime = t; p.play(); }, session.turns[last].start - 1));
  await page.waitForFunction(i => document.querySelectorAll("li.turn")[i].classList.contains("current"), last, { timeout: 10000 });
  measured.followed = await page.evaluate(i => {
    const list = document.querySelector(".turns").getBoundingClientRect();
    const turn = document.querySelectorAll("li.turn")[i].getBoundingClientRect();
    return { turn_top: turn.top, list_top: list.top, list_bottom: list.bottom };
  }, last);
  assert.ok(measured.followed.turn_top >= measured.followed.list_top - 1 && measured.followed.turn_top < measured.followed.list_bottom, "the turn being played is in view");
  await page.evaluate(() => document.getElementById("player").pause());

  // Filter by speaker: only that speaker's turns are shown, all of them.
  const speaker = third.speaker;
  await page.selectOption("#speaker-filter", speaker);
  const shownSpeakers = await page.locator("li.turn:not([hidden])").evaluateAll(ts => ts.map(t => t.dataset.speaker));
  measured.speaker_filter = { speaker, shown: shownSpeakers.length, in_session: session.turns.filter(t => t.speaker === speaker).length };
  assert.ok(shownSpeakers.length > 0 && shownSpeakers.every(s => s === speaker), `speaker filter shows ${shownSpeakers}`);
  assert.equal(shownSpeakers.length, measured.speaker_filter.in_session);
  await page.selectOption("#speaker-filter", "");
  assert.equal(await page.locator("li.turn:not([hidden])").count(), session.turns.length);

  // Filter by theme: only turns raising it.
  const theme = await page.locator("#theme-filter option").nth(1).getAttribute("value");
  await page.selectOption("#theme-filter", theme);
  const themed = await page.locator("li.turn:not([hidden])").evaluateAll(ts => ts.map(t => t.dataset.themes.split(" ")));
  measured.theme_filter = { theme, shown: themed.length };
  assert.ok(themed.length > 0 && themed.every(ts => ts.includes(theme)), "theme filter");
  await page.selectOption("#theme-filter", "");

  // Search: the turns whose words hold the query.
  const query = "recruitment";
  await page.fill("#search", query);
  const said = t => t.segments.map(i => session.segments[i].text).join(" ").toLowerCase();
  measured.search = { query, shown: await page.locator("li.turn:not([hidden])").count(), in_session: session.turns.filter(t => said(t).includes(query)).length };
  assert.equal(measured.search.shown, measured.search.in_session, "search");
  await page.fill("#search", "");

  // Words whisper was unsure of are marked.
  const unsure = session.segments.flatMap(s => s.words).filter(w => w.probability < 0.5).length;
  measured.unsure_words = { marked: await page.locator("mark.unsure").count(), in_session: unsure };
  assert.equal(measured.unsure_words.marked, unsure, "every word under 50% is marked");

  // Renaming a speaker: the page shows the name, and the speakers.toml it gives carries it.
  await page.fill(`#name-${speaker}`, NEW_NAME);
  const labels = await page.locator(`.name[data-speaker="${speaker}"]`).allTextContents();
  assert.ok(labels.length > 0 && labels.every(l => l === NEW_NAME), "renamed on the page");
  // Giving one turn of another voice to the renamed one: the turn shows the name, and the
  // file moves it under [turns] by its start time.
  const other = session.turns.findIndex(t => t.speaker && t.speaker !== speaker);
  const move = page.locator("li.turn").nth(other).locator("select.move");
  await move.selectOption(speaker);
  measured.moved = { turn: other, at: await move.getAttribute("data-at"), to: speaker };
  assert.equal(await page.locator("li.turn").nth(other).locator(".name").textContent(), NEW_NAME, "the moved turn shows its new voice");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-names")]);
  assert.equal(download.suggestedFilename(), "speakers.toml");
  await download.saveAs(path.join(out, "speakers.toml"));
  const names = fs.readFileSync(path.join(out, "speakers.toml"), "utf8");
  assert.ok(names.includes(`${speaker} = "Rosa \\"Chair\\" Ruiz"\n`), `speakers.toml:\n${names}`);
  assert.ok(names.includes(`[turns]\n"${measured.moved.at}" = "${speaker}"\n`), `speakers.toml:\n${names}`);
  measured.speakers_toml = names;

  // Printable: the controls go, every turn stays.
  await page.emulateMedia({ media: "print" });
  measured.print = await page.evaluate(() => ({
    player: getComputedStyle(document.getElementById("player")).display,
    tools: getComputedStyle(document.querySelector(".tools")).display,
    turns: [...document.querySelectorAll("li.turn")].filter(t => t.getClientRects().length).length,
  }));
  assert.equal(measured.print.player, "none");
  assert.equal(measured.print.tools, "none");
  assert.equal(measured.print.turns, session.turns.length);
  await page.pdf({ path: path.join(out, "review.pdf"), format: "A4" });
  await page.emulateMedia({ media: "screen" });

  assert.deepEqual(errors, [], "no script errors");
  assert.deepEqual(network, [], "no network requests");

  // 200% zoom of a 1280 px wide window: one column and nothing wider than the window.
  const zoomed = await browser.newPage({ viewport: { width: 640, height: 450 }, deviceScaleFactor: 2 });
  await zoomed.goto(url);
  measured.zoom_200 = await zoomed.evaluate(() => ({
    page_width: document.documentElement.scrollWidth,
    window_width: innerWidth,
    columns: getComputedStyle(document.querySelector(".columns")).gridTemplateColumns.split(" ").length,
  }));
  assert.ok(measured.zoom_200.page_width <= measured.zoom_200.window_width, "no sideways scrolling at 200%");
  assert.equal(measured.zoom_200.columns, 1);
  await zoomed.screenshot({ path: path.join(out, "review-200.png") });
} finally {
  await browser.close();
}
console.log(JSON.stringify(measured, null, 2));
