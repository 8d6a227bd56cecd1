// Checks a GraphQL introspection result with graphql-js, the reference implementation:
//   node validate.mjs introspection.json [schema.graphql]
// Exit 0 and a one-line summary when the schema is valid (and, given an SDL file, when the SDL
// describes the same schema); exit 1 with the reasons otherwise.
import { readFileSync } from "node:fs";
import {
  buildClientSchema, buildSchema, validateSchema, lexicographicSortSchema, printSchema, getIntrospectionQuery,
} from "graphql";

const [introspectionPath, sdlPath] = process.argv.slice(2);
if (introspectionPath === "--query") {
  // Every option of graphql-js 16 (the October 2021 spec's introspection): the server must answer all of them.
  process.stdout.write(getIntrospectionQuery({
    descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true,
  }));
  process.exit(0);
}

const result = JSON.parse(readFileSync(introspectionPath, "utf8"));
if (result.errors?.length) {
  console.error("introspection returned errors:", JSON.stringify(result.errors));
  process.exit(1);
}

const schema = buildClientSchema(result.data);
const errors = validateSchema(schema);
if (errors.length) {
  for (const e of errors) console.error("invalid schema:", e.message);
  process.exit(1);
}

const types = Object.keys(schema.getTypeMap()).filter((t) => !t.startsWith("__"));
if (sdlPath) {
  const fromSdl = buildSchema(readFileSync(sdlPath, "utf8"));
  const sdlErrors = validateSchema(fromSdl);
  if (sdlErrors.length) {
    for (const e of sdlErrors) console.error("invalid SDL:", e.message);
    process.exit(1);
  }
  const a = printSchema(lexicographicSortSchema(schema));
  const b = printSchema(lexicographicSortSchema(fromSdl));
  if (a !== b) {
    const al = a.split("\n"), bl = b.split("\n");
    const i = al.findIndex((line, n) => line !== bl[n]);
    console.error(`SDL and introspection differ at line ${i + 1}:\n  introspection: ${al[i]}\n  sdl:           ${bl[i]}`);
    process.exit(1);
  }
}

const specified = Object.values(schema.getTypeMap()).filter((t) => t.specifiedByURL).map((t) => `${t.name}=${t.specifiedByURL}`);
console.log(`valid: ${types.length} types, query fields: ${Object.keys(schema.getQueryType().getFields()).length}`
  + `, specifiedBy: ${specified.join(" ") || "none"}, directives: ${schema.getDirectives().map((d) => d.name + (d.isRepeatable ? "(repeatable)" : "")).join(" ")}`);
