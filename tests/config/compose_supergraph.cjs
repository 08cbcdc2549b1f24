// Composes subgraph SDLs into an Apollo Federation 2 supergraph, as `rover supergraph compose`
// does. Reads [{"name", "url", "sdl"}, ...] as JSON on stdin; writes
// {"errors": [...], "hints": [...], "supergraphSdl": "..." | null, "apiSchemaSdl": "..." | null}
// as JSON on stdout; the API schema is the supergraph as the router's clients see it.
const { composeServices } = require("@apollo/composition");
const { parse, printSchema } = require("graphql");

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (chunk) => chunks.push(chunk));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

async function main() {
  const subgraphs = JSON.parse(await readStdin());
  const result = composeServices(
    subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })),
  );
  const messages = (items) => (items || []).map((item) => `${item.code ?? ""}: ${item.message}`);
  process.stdout.write(
    JSON.stringify({
      errors: messages(result.errors),
      hints: messages(result.hints),
      supergraphSdl: result.errors ? null : result.supergraphSdl,
      apiSchemaSdl: result.errors
        ? null
        : printSchema(result.schema.toAPISchema().toGraphQLJSSchema()),
    }),
  );
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
