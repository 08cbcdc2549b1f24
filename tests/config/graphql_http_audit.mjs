// The GraphQL over HTTP audit suite of `graphql-http` against a running endpoint.
// Usage: node tests/config/graphql_http_audit.mjs http://127.0.0.1:8000/graphql/
// Prints one JSON array: per audit its id, name (starting MUST, SHOULD or MAY), status
// ("ok"; a failure is "error" for a MUST, "warn" for a SHOULD, "notice" for a MAY), the
// reason it failed and the status code the server answered with.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node graphql_http_audit.mjs URL');
  process.exit(2);
}

const results = [];
// One audit at a time: the test server is small.
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  results.push({
    id: result.id,
    name: result.name,
    status: result.status,
    reason: result.reason ?? null,
    responseStatus: result.response?.status ?? null,
  });
}
console.log(JSON.stringify(results));
