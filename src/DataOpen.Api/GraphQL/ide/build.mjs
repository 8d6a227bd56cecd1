// Bundles GraphiQL into ../../wwwroot/graphiql (index.html, graphiql.js, graphiql.css).
// Run by the DataOpen.Api build (target BuildGraphiQL) after `npm ci` when the output is missing or stale.
import { build } from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "..", "wwwroot", "graphiql");
mkdirSync(out, { recursive: true });

await build({
  entryPoints: { graphiql: join(here, "index.jsx") },
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  outdir: out,
  loader: { ".js": "jsx", ".woff": "dataurl", ".woff2": "dataurl", ".ttf": "dataurl", ".svg": "dataurl" },
  define: { "process.env.NODE_ENV": '"production"', global: "window" },
  legalComments: "linked",
  logLevel: "warning",
});

writeFileSync(join(out, "index.html"), `<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>DataOpen GraphQL · 长春新区公共数据开放平台</title>
  <link rel="stylesheet" href="graphql/ide/graphiql.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="graphql/ide/graphiql.js"></script>
</body>
</html>
`);
console.log("GraphiQL built into " + out);
