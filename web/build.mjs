// Bundles the web UI into dist/ (what vireod --web serves): one script,
// one stylesheet, index.html pointing at them with a content hash so a
// rebuilt UI is never mixed with a cached one. `make web` runs this.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

await esbuild.build({
  entryPoints: { app: join(here, 'src/main.js'), style: join(here, 'src/style.css') },
  bundle: true,
  format: 'esm',
  target: ['es2022'],
  minify: !process.env.VIREO_WEB_DEBUG,
  sourcemap: true,
  legalComments: 'linked',
  outdir: dist,
  logLevel: 'warning',
});

const hash = (f) => createHash('sha256').update(readFileSync(join(dist, f))).digest('hex').slice(0, 12);
const html = readFileSync(join(here, 'index.html'), 'utf8')
  .replace('app.js', `app.js?v=${hash('app.js')}`)
  .replace('style.css', `style.css?v=${hash('style.css')}`);
writeFileSync(join(dist, 'index.html'), html);
console.log(`web: built ${dist}`);
