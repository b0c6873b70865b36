// The GraphQL-over-HTTP conformance audit (graphql-http's serverAudits) against a running graphsvc.
// Usage: node audit.mjs URL   (GRAPHSVC_TOKEN, when set, is sent as a Bearer token on every request)
// Prints one JSON array: [{"id", "name", "status": "ok" | "notice" | "warn" | "error", "reason"}], one per audit.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
const token = process.env.GRAPHSVC_TOKEN;

// The audits' own requests, with the token added (graphsvc answers no request without one when auth is on).
function fetchWithToken(input, init = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const results = [];
for (const { fn } of serverAudits({ url, fetchFn: fetchWithToken })) {
  const result = await fn(); // one at a time: the server under test is small
  results.push({ id: result.id, name: result.name, status: result.status, reason: result.reason ?? null });
}
console.log(JSON.stringify(results, null, 1));
