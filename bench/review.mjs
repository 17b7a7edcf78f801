// How the review page of a long session behaves in headless Chromium: load time, and the time
// to filter by speaker and to search (medians of RUNS page loads).
//   node bench/review.mjs SESSION_DIR/review.html [RUNS]      (run by bench/review.sh)
import { pathToFileURL } from "node:url";
import path from "node:path";
import { chromium } from "../tests/e2e/node_modules/playwright-core/index.mjs";

const [page_, runs = "5"] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = [], speaker = [], search = [];
let turns = 0;
for (let i = 0; i < +runs; i++) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const t0 = Date.now();
  await page.goto(pathToFileURL(path.resolve(page_)).href, { waitUntil: "load" });
  load.push(Date.now() - t0);
  // Each filter is timed inside the page, from the change to the end of the next frame.
  const timed = (sel, set) => page.evaluate(([sel, set]) => new Promise(done => {
    const e = document.querySelector(sel);
    const t = performance.now();
    if (e.tagName === "SELECT") { e.value = set === "second" ? e.options[1].value : set; e.dispatchEvent(new Event("change")); }
    else { e.value = set; e.dispatchEvent(new Event("input")); }
    requestAnimationFrame(() => setTimeout(() => done(performance.now() - t)));
  }), [sel, set]);
  speaker.push(await timed("#speaker-filter", "second"));
  search.push(await timed("#search", "recruitment"));
  turns = await page.locator("li.turn").count();
  await page.close();
}
await browser.close();
console.log(`| ${turns} turns | ${runs} | ${median(load)} ms | ${median(speaker).toFixed(0)} ms | ${median(search).toFixed(0)} ms |`);
