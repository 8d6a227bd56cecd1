// The speed benchmark's peer: PostGraphile 5 (Amber preset) serving one schema over loopback.
// Usage: node server.mjs <connection string> <schema> <port>. Prints "listening <port>" when ready.
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";

const [connectionString, schema, port] = process.argv.slice(2);
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ connectionString, schemas: [schema] })],
  grafserv: { port: Number(port), host: "127.0.0.1", graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (e) => { console.error(e); process.exit(1); });
serv.addTo(server).then(() => {
  server.listen(Number(port), "127.0.0.1", () => console.log("listening " + port));
});
process.on("SIGTERM", () => { server.close(); pgl.release().finally(() => process.exit(0)); });
