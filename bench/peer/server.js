// The peer of bench/peer.py: PostGraphile 4 as a library over schema `peer`, configured for
// production as its documentation advises (no query log, no GraphiQL, no watch mode), with
// the simplify inflector for the field names a user would choose and JWT verification on.
// Usage: DATABASE_URL=... JWT_SECRET=... node server.js PORT [PROCESSES]
"use strict";
const cluster = require("node:cluster");
const http = require("node:http");
const { postgraphile } = require("postgraphile");
const PgSimplifyInflectorPlugin = require("@graphile-contrib/pg-simplify-inflector");

const port = Number(process.argv[2] || 5000);
const processes = Number(process.argv[3] || 1);

if (cluster.isPrimary && processes > 1) {
  for (let n = 0; n < processes; n++) cluster.fork();
  cluster.on("exit", () => process.exit(1));
  process.on("SIGTERM", () => {
    for (const worker of Object.values(cluster.workers)) worker.process.kill("SIGTERM");
    process.exit(0);
  });
} else {
  const middleware = postgraphile(process.env.DATABASE_URL, "peer", {
    appendPlugins: [PgSimplifyInflectorPlugin],
    dynamicJson: true,
    setofFunctionsContainNulls: false,
    ignoreRBAC: false,
    disableQueryLog: true,
    enableQueryBatching: false,
    graphiql: false,
    watchPg: false,
    retryOnInitFail: false,
    jwtSecret: process.env.JWT_SECRET,
    jwtVerifyOptions: { algorithms: ["HS256"], issuer: "dengta", audience: [] },
  });
  http.createServer(middleware).listen(port, "127.0.0.1");
  process.on("SIGTERM", () => process.exit(0));
}
