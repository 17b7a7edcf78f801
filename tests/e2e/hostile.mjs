// Hostile values in headless Chromium (Debian's /usr/bin/chromium via playwright-core). Run by
// tests/it/safety.rs, which renders a session whose every user field holds script, markup and
// link payloads and writes SPEC (JSON: the pages, the recording, what went into each field):
//   node tests/e2e/hostile.mjs SPEC
// For review.html, minutes.html, summary.html and the catalog's index.html: no dialog, no
// script error, no request off the machine, no script link, no injected element or handler,
// a Content-Security-Policy that stops injected script and network access, each value shown as
// text, and the review page's controls and the recording's time links still working.
// Every check runs; the failed ones are printed as JSON, and the exit code is 1 if any failed.
import fs from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [specPath] = process.argv.slice(2);
if (!specPath) {
  console.error("usage: node hostile.mjs SPEC.json");
  process.exit(2);
}
const spec = JSON.parse(fs.readFileSync(specPath, "utf8"));
const session = JSON.parse(fs.readFileSync(spec.session_json, "utf8"));
const ex = spec.expect;
const failures = [];
const measured = {};
let where = "";
let checks = 0;
function check(name, ok, detail) {
  checks++;
  if (!ok) failures.push({ page: where, check: name, detail });
  return ok;
}

// The file a link points at, without its fragment; null if not a file: URL.
function fileOf(href) {
  try {
    const u = new URL(href);
    if (u.protocol !== "file:") return null;
    u.hash = "";
    return fileURLToPath(u);
  } catch {
    return null;
  }
}
// A URL's scheme as a browser reads it (blanks and controls skipped), or null if relative.
function scheme(value) {
  const m = /^([a-z][a-z0-9+.-]*):/.exec(String(value).replace(/[\u0000-\u0020\u007f]/g, "").toLowerCase());
  return m ? m[1] : null;
}
const within = (promise, ms, what) => Promise.race([promise, new Promise((_, no) => setTimeout(() => no(new Error(`no ${what} within ${ms / 1000} s`)), ms))]);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--autoplay-policy=no-user-gesture-required"],
});
try {
  for (const { kind, path } of spec.pages) {
    where = kind;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const dialogs = [], errors = [], network = [];
    page.on("dialog", d => { dialogs.push(`${d.type()}: ${d.message()}`); d.dismiss().catch(() => {}); });
    page.on("pageerror", e => errors.push(String(e)));
    page.on("console", m => { if (m.type() === "error") errors.push(m.text()); });
    // Asked for, even if the page's CSP then blocked it: user values must not even try.
    page.on("request", r => { if (!/^(file|blob|data):/.test(r.url())) network.push(r.url()); });
    const answered = [];
    page.on("response", r => { if (!/^(file|blob|data):/.test(r.url())) answered.push(r.url()); });
    page.on("popup", p => dialogs.push(`popup: ${p.url()}`));
    const url = pathToFileURL(path).href;
    if (!check("page exists", fs.existsSync(path), path)) { await context.close(); continue; }
    await page.goto(url, { waitUntil: "load" });
    await page.waitForTimeout(300); // onload handlers, meta refreshes, autoplaying media

    // The DOM: no handler attribute, no script but the page's own, no frame, form, base,
    // refresh or plugin, no script URL in any attribute, images only the timeline.
    const dom = await page.evaluate(() => {
      const all = [...document.querySelectorAll("*")];
      const handlers = [], scriptish = [];
      for (const e of all) for (const a of e.attributes) {
        if (/^on/i.test(a.name)) handlers.push(`<${e.localName} ${a.name}>`);
        // URL attributes only: a name box's value may well read "javascript:", as text.
        if (/^(href|src|action|formaction|data|poster|srcset|background|cite|ping|xlink:href)$/i.test(a.name) && /^(javascript|vbscript|data):/i.test(a.value.replace(/[\u0000-\u0020\u007f]/g, ""))) scriptish.push(`<${e.localName} ${a.name}="${a.value.slice(0, 80)}">`);
      }
      const urls = [];
      for (const e of document.querySelectorAll("[href], [src], [action], [formaction], [data], [poster], [srcset], [background]"))
        for (const n of ["href", "src", "action", "formaction", "data", "poster", "srcset", "background"])
          if (e.hasAttribute(n)) urls.push({ tag: e.localName, attr: n, value: e.getAttribute(n), resolved: e[n] && typeof e[n] === "string" ? e[n] : null });
      return {
        handlers, scriptish, urls,
        scripts: [...document.scripts].map(s => ({ src: s.getAttribute("src"), length: s.text.length })),
        styles: document.querySelectorAll("style").length,
        forbidden: all.filter(e => ["iframe", "frame", "object", "embed", "form", "base", "link", "applet", "portal", "textarea", "plaintext", "xmp", "noscript", "math", "template"].includes(e.localName)).map(e => e.localName),
        refresh: [...document.querySelectorAll("meta[http-equiv]")].filter(m => m.httpEquiv.toLowerCase() === "refresh").length,
        csp: [...document.querySelectorAll('meta[http-equiv="Content-Security-Policy" i]')].map(m => m.content),
        images: [...document.images].map(i => ({ src: i.getAttribute("src"), loaded: i.complete && i.naturalWidth > 0 })),
        text: document.body ? document.body.innerText.length : 0,
      };
    });
    check("no on* handler attribute", dom.handlers.length === 0, dom.handlers);
    check("no javascript:/vbscript:/data: attribute value", dom.scriptish.length === 0, dom.scriptish);
    check("no frame, form, base, link, plugin or raw-text element", dom.forbidden.length === 0, dom.forbidden);
    check("no meta refresh", dom.refresh === 0, dom.refresh);
    check(kind === "review" ? "one script: the page's own, inline" : "no script", dom.scripts.length === (kind === "review" ? 1 : 0) && dom.scripts.every(s => s.src === null), dom.scripts);
    check("one style element: the page's own", dom.styles === 1, dom.styles);
    check("a Content-Security-Policy meta", dom.csp.length === 1, dom.csp);
    const badUrls = dom.urls.filter(u => {
      const s = scheme(u.value);
      return u.attr === "href" ? s !== null && !["http", "https", "mailto"].includes(s) : s !== null;
    });
    check("links only http, https, mailto or relative; sources only relative", badUrls.length === 0, badUrls);
    for (const img of dom.images) check("an image is the timeline, and it loads", img.src === "timeline.svg" && img.loaded, img);

    // Click every link whose target is not the web, mail or a relative file: there must be
    // none, but a script link clicked shows itself as a dialog.
    const anchors = await page.evaluate(() => [...document.querySelectorAll("a[href]")].map((a, i) => ({ i, href: a.getAttribute("href"), protocol: a.protocol })));
    const odd = anchors.filter(a => !(["http:", "https:", "mailto:"].includes(a.protocol) || (a.protocol === "file:" && scheme(a.href) === null)));
    for (const a of odd) {
      await page.locator("a[href]").nth(a.i).click({ force: true, noWaitAfter: true, timeout: 2000 }).catch(() => {});
    }
    if (odd.length) await page.waitForTimeout(300);
    check("no link to another scheme (clicked each)", odd.length === 0, odd);
    if (page.url() !== url) await page.goto(url, { waitUntil: "load" });

    // Shown as text: the element that holds a value reads exactly the value.
    const texts = await page.evaluate(() => ({
      title: document.title,
      h1: [...document.querySelectorAll("h1")].map(h => h.textContent),
      strong: [...document.querySelectorAll("strong")].map(e => e.textContent),
      em: [...document.querySelectorAll("em")].map(e => e.textContent),
      h3: [...document.querySelectorAll("h3")].map(e => e.textContent),
      td: [...document.querySelectorAll("td")].map(e => e.textContent),
      li: [...document.querySelectorAll("li")].map(e => e.textContent),
      a: [...document.querySelectorAll("a")].map(e => ({ text: e.textContent, href: e.href, raw: e.getAttribute("href") })),
      body: document.body ? document.body.textContent : "",
      visible: document.body ? document.body.innerText : "",
    }));
    const shown = (what, list, value) => check(`${what} is shown as text`, list.includes(value), { value, found: list.filter(t => t.includes(String(value).slice(0, 12))).slice(0, 3) });
    const timeLinks = texts.a.filter(a => /#t=/.test(a.href) && a.href.startsWith("file:"));
    const recordingLinksOk = links => links.every(a => fileOf(a.href) === spec.recording);
    if (kind === "minutes" || kind === "summary" || kind === "review") {
      const heading = kind === "summary" ? `Thematic summary: ${ex.title}` : ex.title;
      shown("the title (h1)", texts.h1, heading);
      check("the title is visible", texts.visible.includes(ex.title.replace(/\s+/g, " ").slice(0, 30)), ex.title);
      const recordingLink = texts.a.find(a => a.text === ex.file_name);
      check("the recording's link shows its file name", recordingLink || kind === "review", texts.a.map(a => a.text).slice(0, 10));
      if (recordingLink) check("the recording's link opens the recording", fileOf(recordingLink.href) === spec.recording, { href: recordingLink.raw, file: fileOf(recordingLink.href), recording: spec.recording });
      check("time links exist", timeLinks.length > 0, texts.a.map(a => a.raw).slice(0, 10));
      check("every time link opens the recording", recordingLinksOk(timeLinks), timeLinks.filter(a => fileOf(a.href) !== spec.recording).slice(0, 3));
      // A time the Markdown link lost shows as bare `[00:01:02](...)` text: every HH:MM:SS
      // (but those the payloads hold) is a link.
      const loose = await page.evaluate(payloads => {
        const out = [];
        const walk = document.createTreeWalker(document.querySelector("#draft") || document.body, NodeFilter.SHOW_TEXT);
        for (let n; (n = walk.nextNode());) {
          const text = payloads.reduce((t, p) => t.split(p).join(" "), n.data);
          if (/\b\d\d:\d\d:\d\d\b/.test(text) && !n.parentElement.closest("a")) out.push(n.data.slice(0, 80));
        }
        return out;
      }, ex.payloads);
      check("every HH:MM:SS time is a link", loose.length === 0, loose.slice(0, 5));
    }
    if (kind === "minutes" || kind === "review") {
      // The participants table: each participant's name and organisation in a cell of its own.
      for (const p of ex.participants) shown("a participant's name (participants table)", texts.td, p.name);
      for (const p of ex.participants) shown("a participant's organisation (participants table)", texts.td, p.organisation);
      shown("the series (em)", texts.em, ex.series);
      check("the time zone is shown as text", texts.body.includes(`(${ex.timezone})`), ex.timezone);
      check("the organisers are shown as text", texts.body.includes(`Organised by: ${ex.organisers.join(", ")}`), ex.organisers);
      for (const name of Object.values(ex.speaker_names)) shown("a speakers.toml name (voices table)", texts.td, name);
      for (const name of Object.values(ex.voice_names)) shown("a voice name (voices table)", texts.td, name);
    }
    if (kind === "catalog") {
      shown("the title (catalog cell)", texts.td, ex.title);
      const links = texts.a.filter(a => a.raw);
      check("the catalog links each document", links.length >= 5, links.map(a => a.raw));
      const broken = links.filter(a => !fileOf(a.href) || !fs.existsSync(fileOf(a.href)));
      check("every catalog link opens an existing file", broken.length === 0, broken.map(a => ({ href: a.raw, file: fileOf(a.href) })));
    }
    if (kind === "review") await review(page, texts);

    // The second wall: with the page loaded, script put into the page and requests off the
    // machine are refused by its Content-Security-Policy.
    const [requestsBefore, errorsBefore] = [network.length, errors.length];
    const wall = await page.evaluate(async () => {
      const violations = [];
      document.addEventListener("securitypolicyviolation", e => violations.push(e.violatedDirective));
      const s = document.createElement("script");
      s.textContent = "window.__injected = true";
      document.body.append(s);
      const img = new Image();
      img.src = "http://127.0.0.1:9/csp-probe.png";
      const fetched = await fetch("http://127.0.0.1:9/csp-probe").then(() => "fetched", e => String(e));
      await new Promise(r => setTimeout(r, 300));
      return { injected: window.__injected === true, fetched, violations };
    });
    await page.waitForTimeout(200);
    check("CSP: an injected inline script does not run", !wall.injected && wall.violations.some(v => v.startsWith("script-src")), wall);
    check("CSP: an image off the machine is refused", wall.violations.includes("img-src") || wall.violations.includes("default-src"), wall);
    check("CSP: a fetch off the machine is refused", wall.violations.includes("connect-src") || wall.violations.includes("default-src"), wall);
    check("CSP: nothing off the machine answered", answered.length === 0, answered);
    // What the probe itself caused is not the page's fault.
    network.length = requestsBefore;
    errors.length = errorsBefore;

    check("no dialog", dialogs.length === 0, dialogs);
    check("no script error", errors.filter(e => !/Content Security Policy/.test(e)).length === 0, errors);
    check("no CSP violation by the page itself", !errors.some(e => /Content Security Policy/.test(e)), errors.filter(e => /Content Security Policy/.test(e)));
    check("no request outside file:, blob:, data:", network.length === 0, network);
    await context.close();
  }
} finally {
  await browser.close();
}

// The review page's own controls, with hostile names and text in it.
async function review(page, texts) {
  shown2("the page title", [texts.title], `Review: ${ex.title}`);
  function shown2(what, list, value) {
    return check(`${what} is shown as text`, list.includes(value), { value, found: list.slice(0, 3) });
  }
  // The recording loads from its link.
  const player = await page.evaluate(async () => {
    const p = document.getElementById("player");
    for (let i = 0; i < 100 && p.readyState < 1 && !p.error; i++) await new Promise(r => setTimeout(r, 100));
    return { readyState: p.readyState, error: p.error && p.error.code, src: p.currentSrc, raw: p.getAttribute("src"), label: p.getAttribute("aria-label") };
  });
  measured.player = player;
  check("the player loads the recording", player.readyState > 0 && player.error === null, player);
  check("the player's source is the recording", fileOf(player.src) === spec.recording, { src: player.raw, file: fileOf(player.src), recording: spec.recording });
  check("the player's label shows the file name", player.label === `Recording: ${ex.file_name}`, player.label);

  // Names: the boxes and labels hold them as typed.
  for (const [id, name] of [...Object.entries(ex.voice_names), ...Object.entries(ex.speaker_names)]) {
    const got = await page.evaluate(i => ({
      value: document.getElementById(`name-${i}`)?.value ?? null,
      labels: [...document.querySelectorAll(".name")].filter(e => e.dataset.speaker === i).map(e => e.textContent),
    }), id);
    check(`${id}'s name is shown as text`, got.labels.length > 0 && got.labels.every(l => l === name), { name, labels: got.labels.slice(0, 2) });
    if (ex.speaker_names[id] === name) check(`${id}'s name box holds the name`, got.value === name, { name, value: got.value });
  }
  // The transcript: every hostile sentence is text in its turn.
  const said = await page.locator("li.turn .said").allTextContents();
  for (const s of ex.said) check("a transcript payload is shown as text", said.some(t => t.includes(s)), s.slice(0, 80));

  const turns = page.locator("li.turn");
  check("one turn per turn in session.json", (await turns.count()) === session.turns.length, { page: await turns.count(), session: session.turns.length });
  async function seekedAfter(what, action) {
    await page.evaluate(() => {
      const p = document.getElementById("player");
      window.__seeking = new Promise(r => p.addEventListener("seeking", () => r(p.currentTime), { once: true }));
    });
    try {
      await action();
      return await within(page.evaluate(() => window.__seeking), 5000, `seek after ${what}`);
    } catch (e) {
      check(`${what} seeks the player`, false, String(e).split("\n")[0]);
      return null;
    }
  }
  // Clicking a turn plays from its start.
  const k = Math.min(1, session.turns.length - 1);
  const atTurn = await seekedAfter("clicking a turn", () => turns.nth(k).locator(".who").click());
  if (atTurn !== null) check("clicking a turn seeks to its start", Math.abs(atTurn - session.turns[k].start) < 1e-6, { asked: atTurn, start: session.turns[k].start });
  // Time links in the minutes play in the page, from their time.
  const links = page.locator('#draft details:first-of-type a[href*="#t="]');
  const n = await links.count();
  check("the minutes in the page have time links", n > 0, n);
  for (const i of [...new Set([0, Math.floor(n / 2), n - 1])].filter(i => i >= 0 && i < n)) {
    const link = links.nth(i);
    const t = parseFloat((await link.evaluate(a => a.hash)).replace(/^#t=/, ""));
    const played = await seekedAfter(`time link ${i}`, () => link.click());
    if (played !== null) check("a time link seeks the player to its time", Math.abs(played - t) < 1e-3, { link: t, played });
  }
  check("a time link stays on the page", page.url().split("#")[0] === pathToFileURL(spec.pages[0].path).href, page.url());
  const state = await page.evaluate(() => { const p = document.getElementById("player"); p.pause(); return { readyState: p.readyState, error: p.error && p.error.code, time: p.currentTime }; });
  check("after seeking the player has the recording", state.readyState > 0 && state.error === null, state);

  // Search: the turns whose text holds the query, payload characters included.
  const said2 = t => t.segments.map(i => session.segments[i].text).join(" ").toLowerCase();
  for (const query of [ex.said[0], ex.said[ex.said.length - 1], "alert('p"]) {
    await page.fill("#search", query);
    const shown = await page.locator("li.turn:not([hidden])").count();
    const expected = session.turns.filter(t => said2(t).includes(query.trim().toLowerCase())).length;
    check(`search ${JSON.stringify(query.slice(0, 40))} shows the turns holding it`, shown === expected && expected > 0, { shown, expected });
  }
  await page.fill("#search", "");
  check("an empty search shows every turn", (await page.locator("li.turn:not([hidden])").count()) === session.turns.length);
  // The speaker filter.
  if (await page.locator("#speaker-filter").count()) {
    const speaker = session.turns[0].speaker;
    await page.selectOption("#speaker-filter", speaker);
    const shownSpeakers = await page.locator("li.turn:not([hidden])").evaluateAll(ts => ts.map(t => t.dataset.speaker));
    check("the speaker filter shows that speaker's turns", shownSpeakers.length === session.turns.filter(t => t.speaker === speaker).length && shownSpeakers.every(s => s === speaker), shownSpeakers);
    await page.selectOption("#speaker-filter", "");
  } else {
    check("a speaker filter", false, "no #speaker-filter");
  }
  // Renaming with a hostile name: the labels take it as text.
  const id = Object.keys(ex.speaker_names)[0];
  const hostileName = "<img src=x onerror=alert('rename')> *r*";
  if (await page.locator(`#name-${id}`).count()) {
    await page.fill(`#name-${id}`, hostileName);
    const labels = await page.locator(".name").evaluateAll((es, i) => es.filter(e => e.dataset.speaker === i).map(e => e.textContent), id);
    check("renaming shows the new name as text", labels.length > 0 && labels.every(l => l === hostileName), labels.slice(0, 2));
    const toml = await page.locator("#speakers-toml").textContent();
    check("renaming gives a speakers.toml line", toml.includes(`${id} = "<img src=x onerror=alert('rename')> *r*"`), toml);
  } else {
    check(`a name box for ${id}`, false, `no #name-${id}`);
  }
}

const ok = failures.length === 0;
console.log(JSON.stringify({ ok, checks, failed: failures.length, failures, measured }, null, 2));
if (!ok) {
  console.error(`${failures.length} checks failed:`);
  for (const f of failures) console.error(`  [${f.page}] ${f.check}`);
}
process.exit(ok ? 0 : 1);
