// Builds the farm panel into ONE ES module, custom_components/ottoengine/frontend/ottoengine-panel.js
// (committed: Home Assistant serves it, nothing is built at install).
//
// Its first line is `// sources-sha256: <hex>`: the sha256 of, in sorted path order, every file
// under frontend/src plus frontend/package.json, frontend/package-lock.json and frontend/build.mjs,
// each as `<path relative to the repository>\0<content>\0`; then the English panel strings bundled
// from translations/en.json, as
// `custom_components/ottoengine/translations/en.json#panel\0<the panel section as JSON with sorted
// keys and no spaces>\0`. tests/panel/test_bundle_fresh.py recomputes it.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

import * as esbuild from "esbuild";

const FRONTEND = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(FRONTEND);
const OUT = join(REPO, "custom_components/ottoengine/frontend/ottoengine-panel.js");
const TRANSLATIONS = "custom_components/ottoengine/translations/en.json";

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function sourcesHash(panelStrings) {
  const files = [
    ...filesUnder(join(FRONTEND, "src")),
    join(FRONTEND, "package.json"),
    join(FRONTEND, "package-lock.json"),
    join(FRONTEND, "build.mjs"),
  ]
    .map((path) => relative(REPO, path).split(sep).join("/"))
    .sort();
  const hash = createHash("sha256");
  for (const path of files) {
    hash.update(`${path}\0`);
    hash.update(readFileSync(join(REPO, path)));
    hash.update("\0");
  }
  hash.update(`${TRANSLATIONS}#panel\0${canonicalJson(panelStrings)}\0`);
  return hash.digest("hex");
}

const panelStrings = JSON.parse(readFileSync(join(REPO, TRANSLATIONS), "utf8")).panel;
if (!panelStrings) throw new Error(`${TRANSLATIONS} has no panel section`);

const result = await esbuild.build({
  entryPoints: [join(FRONTEND, "src/ottoengine-farm-panel.ts")],
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  legalComments: "none",
  charset: "utf8",
  write: false,
  define: { __PANEL_STRINGS__: JSON.stringify(panelStrings) },
  tsconfigRaw: {
    compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false, target: "ES2022" },
  },
  logLevel: "warning",
});
const code = result.outputFiles[0].text;
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `// sources-sha256: ${sourcesHash(panelStrings)}\n// The OttoEngine farm panel, built from frontend/ by scripts/build-panel: do not edit.\n${code}`);
console.log(`wrote ${relative(REPO, OUT)} (${code.length} bytes)`);
