// Validates a server.json against the MCP registry's published schema (registry/server.schema.json, kept beside
// this script with its provenance) with Ajv, and prints one JSON object: valid, and the errors if not.
// Usage: node validate-server-json.mjs SERVER_JSON
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const [file] = process.argv.slice(2);
const schema = JSON.parse(readFileSync(new URL("./registry/server.schema.json", import.meta.url), "utf8"));
// The schema is generated from OpenAPI and carries its keywords (example, discriminator): not strict about those.
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);
const valid = validate(JSON.parse(readFileSync(file, "utf8")));
console.log(JSON.stringify({ valid, errors: (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`) }));
