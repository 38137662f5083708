// Times an MCP server over stdio with the official TypeScript SDK client: spawn to initialized (the handshake an
// IDE waits for at every launch), then the round trip of one tool call repeated. Prints one JSON object.
// node startup.mjs RUNS TOOL ARGS_JSON -- COMMAND [ARG...]
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const split = process.argv.indexOf("--");
const [runs, tool, toolArgs] = process.argv.slice(2, split);
const [command, ...args] = process.argv.slice(split + 1);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (from) => Number(process.hrtime.bigint() - from) / 1e6;

const handshakes = [];
let calls = [];
for (let run = 0; run < Number(runs); run++) {
  const started = process.hrtime.bigint();
  const transport = new StdioClientTransport({ command, args, env: process.env, stderr: "ignore" });
  const client = new Client({ name: "vgac-startup-bench", version: "1.0.0" });
  await client.connect(transport);
  handshakes.push(ms(started));
  if (run === Number(runs) - 1) {
    for (let i = 0; i < 210; i++) {
      const at = process.hrtime.bigint();
      await client.callTool({ name: tool, arguments: JSON.parse(toolArgs) });
      if (i >= 10) calls.push(ms(at));
    }
  }
  await client.close();
}
console.log(JSON.stringify({ handshake_median_ms: median(handshakes), handshake_min_ms: Math.min(...handshakes), call_p50_ms: median(calls), runs: Number(runs) }));
