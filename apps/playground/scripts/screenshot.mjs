// Dev helper: node scripts/screenshot.mjs <url> <out.png> [webgpu]
import { chromium } from 'playwright-core';
const [url, out, mode] = process.argv.slice(2);
const args = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu-sandbox'];
if (mode === 'webgpu') args.push('--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
page.on('console', (message) => console.log('console:', message.type(), message.text()));
page.on('pageerror', (error) => console.log('pageerror:', error.message));
await page.goto(url);
await page.waitForTimeout(Number(process.env.WAIT ?? 8000));
await page.screenshot({ path: out });
console.log(await page.evaluate(() => JSON.stringify({ ...document.body.dataset, backend: document.getElementById('backend').textContent, model: document.getElementById('model').textContent, scan: document.getElementById('scan').textContent, message: document.getElementById('message').textContent })));
await browser.close();
