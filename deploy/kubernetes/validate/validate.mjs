// Validates Kubernetes manifests offline against the OpenAPI schemas pinned in package.json
// (kubernetes-models 5.1.0 for the built-in kinds, @kubernetes-models/prometheus-operator 6.0.0 for
// ServiceMonitor and PrometheusRule), and checks that every PrometheusRule carries exactly the groups
// of deploy/prometheus/drift-rules.yml and serving-rules.yml.
//   kubectl kustomize deploy/kubernetes/overlays/all | node deploy/kubernetes/validate/validate.mjs
//   node deploy/kubernetes/validate/validate.mjs --write-rules   (copies the rules into the PrometheusRule)
import { readFileSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, parse, stringify } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const rulesFiles = ["drift-rules.yml", "serving-rules.yml"].map((name) => join(here, "..", "..", "prometheus", name));
const prometheusRuleFile = join(here, "..", "monitoring", "prometheusrule.yaml");
const ruleGroups = rulesFiles.flatMap((file) => parse(readFileSync(file, "utf8")).groups);

if (process.argv.includes("--write-rules")) {
  const text = readFileSync(prometheusRuleFile, "utf8");
  const header = text.slice(0, text.indexOf("spec:"));
  writeFileSync(prometheusRuleFile, header + stringify({ spec: { groups: ruleGroups } }, { lineWidth: 0 }));
  process.exit(0);
}

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const module = group === "monitoring.coreos.com"
    ? `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`
    : `kubernetes-models/${group ? group + "/" : ""}${version}/${kind}`;
  try {
    return (await import(module))[kind];
  } catch {
    return undefined;
  }
}

const documents = parseAllDocuments(readFileSync(0, "utf8"));
let failures = 0;
let count = 0;
for (const document of documents) {
  if (document.errors.length > 0) {
    console.error(`YAML error: ${document.errors[0].message}`);
    failures++;
    continue;
  }
  const object = document.toJS();
  if (object === null) continue;
  count++;
  const name = `${object.kind}/${object.metadata?.name}`;
  const Model = await modelFor(object.apiVersion ?? "", object.kind ?? "");
  if (!Model) {
    console.error(`${name}: no schema for ${object.apiVersion} ${object.kind}`);
    failures++;
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    console.error(`${name}: ${error.message}`);
    failures++;
  }
  if (object.kind === "PrometheusRule" && !isDeepStrictEqual(object.spec?.groups, ruleGroups)) {
    console.error(`${name}: its groups differ from deploy/prometheus/drift-rules.yml + serving-rules.yml (run this script with --write-rules)`);
    failures++;
  }
}
if (count === 0) {
  console.error("no manifests on standard input");
  failures++;
}
console.log(`${count} manifests, ${failures} invalid`);
process.exit(failures === 0 ? 0 : 1);
