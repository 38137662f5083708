// Starts `vgac mcp --demo` over stdio with the official MCP TypeScript SDK client, lists the tools, calls one
// tool per plugin (and one with a bad argument, one on the second demo cluster, one on a cluster that does not exist), times a burst of calls, and prints one JSON object.
// VGAC_MCP_FLAGS (space-separated) are added after `mcp --demo` (a tool budget, --read-only, ...).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [command, ...args] = process.argv.slice(2);
const extra = (process.env.VGAC_MCP_FLAGS ?? "").split(" ").filter((a) => a.length > 0);
const transport = new StdioClientTransport({ command, args: [...args, "mcp", "--demo", ...extra], env: process.env, stderr: "pipe" });
let stderr = "";
transport.stderr?.on("data", (chunk) => { stderr += chunk; });
const client = new Client({ name: "vgac-ci-check", version: "1.0.0" });
await client.connect(transport);

const tools = (await client.listTools()).tools;
const calls = {};
for (const [label, name, callArgs] of [
  ["observer", "observer_cluster_summary", {}],
  ["predictor", "predictor_predict_wait", { gpus: 4, memory_gb: 64 }],
  ["calibrator", "calibrator_status", {}],
  ["actor", "actor_recommend_policy", { gpus: 2 }],
  ["bad_argument", "predictor_predict_wait", { gpus: -1 }],
  ["on_slurm", "predictor_predict_wait", { gpus: 2, cluster: "slurm" }],
  ["unknown_cluster", "observer_cluster_summary", { cluster: "gke" }],
]) {
  try {
    const result = await client.callTool({ name, arguments: callArgs });
    calls[label] = { tool: name, is_error: result.isError ?? false, text: result.content?.[0]?.text ?? "", structured: result.structuredContent ?? null };
  } catch (error) {
    // A tool the server does not serve is a protocol error, not a tool result.
    calls[label] = { tool: name, is_error: true, text: String(error?.message ?? error), structured: null };
  }
}

// Round trips of a tool that needs no fresh VGAC call (calibration is cached): the MCP path's own cost.
const samples = [];
const burst = tools.some((t) => t.name === "calibrator_tier_verdict") ? 60 : 0; // not on a server whose budget leaves it out
for (let i = 0; i < burst; i++) {
  const started = process.hrtime.bigint();
  await client.callTool({ name: "calibrator_tier_verdict", arguments: { probability: 0.8, confidence: 0.9 } });
  if (i >= 10) samples.push(Number(process.hrtime.bigint() - started) / 1e6);
}
samples.sort((a, b) => a - b);

const resources = (await client.listResources()).resources.map((r) => r.uri);
const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
const slurmSummary = (await client.readResource({ uri: "vgac://slurm/cluster/summary" })).contents?.[0]?.text ?? "";
await client.close();
console.log(JSON.stringify({
  server: client.getServerVersion(),
  instructions: client.getInstructions() ?? null,
  tools: tools.map((t) => ({ name: t.name, read_only: t.annotations?.readOnlyHint ?? null })),
  catalogue_bytes: JSON.stringify(tools).length,
  // What a model is shown of each tool: name, description, input schema, annotations.
  shown_bytes: JSON.stringify(tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema, annotations: t.annotations }))).length,
  calls,
  resources,
  prompts,
  cluster_schema: tools.find((t) => t.name === "observer_cluster_summary")?.inputSchema?.properties?.cluster ?? null,
  slurm_summary: slurmSummary,
  tools_call_median_ms: samples[Math.floor(samples.length / 2)],
  stderr_tail: stderr.slice(-2000),
}));
