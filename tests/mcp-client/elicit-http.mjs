// Connects to `vgac mcp --http --allow-actions` with the official MCP TypeScript SDK over streamable HTTP, as a
// client that supports elicitation, asks it to apply an action, confirms when the server asks, and prints one JSON
// object: what the server asked and what the tool answered. Usage: node elicit-http.mjs URL JOB TIER [answer]
// (answer: accept, decline, or none: a client that does not support elicitation at all).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const [url, job, tier, answer = "accept"] = process.argv.slice(2);
const headers = process.env.VGAC_MCP_TOKEN ? { Authorization: `Bearer ${process.env.VGAC_MCP_TOKEN}` } : {};
const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
const client = new Client({ name: "vgac-elicitation-check", version: "1.0.0" }, { capabilities: answer === "none" ? {} : { elicitation: {} } });
const asked = [];
if (answer !== "none") {
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked.push({ message: request.params.message, fields: Object.keys(request.params.requestedSchema?.properties ?? {}) });
    return answer === "accept" ? { action: "accept", content: { confirm: true } } : { action: "decline" };
  });
}
await client.connect(transport);
const result = await client.callTool({ name: "actor_apply_action", arguments: { job_id: job, tier: Number(tier) } });
await client.close();
console.log(JSON.stringify({ session: transport.sessionId ?? null, asked, is_error: result.isError ?? false, text: result.content?.[0]?.text ?? "", structured: result.structuredContent ?? null }));
