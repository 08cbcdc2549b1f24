// PostGraphile 5 (Amber preset) over the benchmark database, for `manage.py benchmark_peer`.
// WORKERS node processes share PORT, as uvicorn's workers share the product's port.
import cluster from "node:cluster";
import { createServer } from "node:http";

import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { postgraphile } from "postgraphile";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";

const workers = Number(process.env.WORKERS ?? 2);
const port = Number(process.env.PORT ?? 5678);

if (cluster.isPrimary && workers > 1) {
  for (let index = 0; index < workers; index += 1) cluster.fork();
  cluster.on("exit", (worker, code) => {
    if (code !== 0) process.exit(code ?? 1);
  });
} else {
  const preset = {
    extends: [PostGraphileAmberPreset],
    pgServices: [
      makePgService({
        connectionString: process.env.DATABASE_URL,
        schemas: ["public", "peer"],
        poolConfig: { max: Number(process.env.POOL_SIZE ?? 8) },
      }),
    ],
    grafserv: { port, graphqlPath: "/graphql/", graphiql: false, watch: false },
    grafast: { explain: false },
  };
  const serv = postgraphile(preset).createServ(grafserv);
  const server = createServer();
  serv.addTo(server).then(() => server.listen(port, "127.0.0.1"));
}
