// Opens the built pkgdown site (docs/) in headless Chromium, visits every page reachable from the
// home page, and fails (exit 1) on a broken internal link (a page or file that is not there, or an
// #anchor that no element has) or an image that does not load. Saves screenshots of the home
// page, gma_sample()'s reference page and the getting-started article to site-check/.
//   node tools/check-site.mjs [docs] [site-check]
// Needs Debian's chromium (/usr/bin/chromium) and playwright-core, installed under site-check/ by
// `make site`. The site is served from 127.0.0.1; every request elsewhere is blocked, not made.
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, statSync, mkdirSync, rmSync } from 'node:fs';
import { join, extname, resolve } from 'node:path';
import { tmpdir } from 'node:os';

const root = resolve(process.argv[2] ?? 'docs');
const out = resolve(process.argv[3] ?? 'site-check');
const require = createRequire(join(out, 'node_modules', 'noop.js'));
const { chromium } = require('playwright-core');

const types = { '.html': 'text/html', '.css': 'text/css', '.js': 'text/javascript', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.json': 'application/json', '.xml': 'application/xml', '.woff2': 'font/woff2',
  '.woff': 'font/woff', '.ttf': 'font/ttf', '.ico': 'image/x-icon', '.jpg': 'image/jpeg', '.txt': 'text/plain' };

// A static file server for the site: a path that is a folder serves its index.html.
const server = createServer((req, res) => {
  let path = join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname));
  try {
    if (statSync(path).isDirectory()) path = join(path, 'index.html');
    const body = readFileSync(path);
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end('not found');
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const profile = mkdtempSync(join(tmpdir(), 'gmasampler-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const blocked = new Set();
await context.route('**/*', (route) => {
  const url = route.request().url();
  if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
  blocked.add(new URL(url).host);
  return route.abort();
});

const page = await context.newPage();
const problems = [];
const ids = new Map();         // page path -> the ids of its elements
const anchors = [];            // [from, to path, fragment]
const queue = ['/index.html'];
const seen = new Set(queue);
let links = 0;
const failedResources = [];
page.on('response', (r) => {
  if (r.url().startsWith(origin) && r.status() >= 400) failedResources.push(r.url());
});

while (queue.length) {
  const path = queue.shift();
  failedResources.length = 0;
  const response = await page.goto(origin + path, { waitUntil: 'load' });
  if (!response || response.status() !== 200) {
    problems.push(`page not found: ${path} (status ${response?.status()})`);
    continue;
  }
  const found = await page.evaluate(() => ({
    ids: [...document.querySelectorAll('[id], a[name]')].map((e) => e.id || e.getAttribute('name')),
    links: [...document.querySelectorAll('a[href]')].map((a) => a.href),
    images: [...document.images].map((i) => ({ src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0 })),
  }));
  ids.set(path, new Set(found.ids));
  for (const img of found.images) {
    if (!img.ok && img.src.startsWith(origin)) problems.push(`image missing on ${path}: ${img.src}`);
  }
  for (const url of failedResources) problems.push(`resource missing on ${path}: ${url}`);
  for (const href of found.links) {
    if (!href.startsWith(origin)) continue;
    links++;
    const u = new URL(href);
    let target = u.pathname.endsWith('/') ? u.pathname + 'index.html' : u.pathname;
    if (u.hash.length > 1) anchors.push([path, target, decodeURIComponent(u.hash.slice(1))]);
    if (seen.has(target)) continue;
    seen.add(target);
    if (target.endsWith('.html')) {
      queue.push(target);
    } else {
      const r = await page.request.get(origin + target);
      if (r.status() !== 200) problems.push(`broken link on ${path}: ${target}`);
    }
  }
}
for (const [from, to, fragment] of anchors) {
  if (ids.has(to) && !ids.get(to).has(fragment)) problems.push(`broken anchor on ${from}: ${to}#${fragment}`);
}

mkdirSync(out, { recursive: true });
for (const [name, path] of [['home', '/index.html'], ['reference-gma_sample', '/reference/gma_sample.html'],
                            ['article-gmasampler', '/articles/gmasampler.html']]) {
  const r = await page.goto(origin + path, { waitUntil: 'load' });
  if (!r || r.status() !== 200) problems.push(`no page for the screenshot ${name}: ${path}`);
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: false });
}
await context.close();
server.close();
rmSync(profile, { recursive: true, force: true });

const pages = [...seen].filter((p) => p.endsWith('.html')).length;
console.log(`${pages} pages, ${links} internal links, ${anchors.length} anchors checked; ` +
            `screenshots in ${out}`);
if (blocked.size) console.log(`blocked requests to other hosts (not fetched): ${[...blocked].join(', ')}`);
for (const p of problems) console.log(`PROBLEM: ${p}`);
console.log(problems.length ? `site check failed: ${problems.length} problem(s)` : 'site check passed');
process.exit(problems.length ? 1 : 0);
