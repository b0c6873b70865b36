// Peer for the graphsvc browse bench: @neo4j/graphql (Cypher generated from typeDefs.graphql) on Apollo Server,
// over the same Neo4j as graphsvc. Read-only. Environment: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE,
// PORT (defaults: bolt://127.0.0.1:7687, neo4j, none, neo4j, 4000). Serves POST / (any path) on 127.0.0.1.
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const env = process.env;
const uri = env.NEO4J_URI ?? "bolt://127.0.0.1:7687";
const user = env.NEO4J_USER ?? "neo4j";
const password = env.NEO4J_PASSWORD;
const database = env.NEO4J_DATABASE ?? "neo4j";
const port = Number(env.PORT ?? 4000);
if (!password) {
  console.error("NEO4J_PASSWORD is not set");
  process.exit(2);
}

const typeDefs = readFileSync(new URL("./typeDefs.graphql", import.meta.url), "utf8");
const driver = neo4j.driver(uri, neo4j.auth.basic(user, password));
await driver.verifyConnectivity({ database });

const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
const server = new ApolloServer({ schema, introspection: true });
const { url } = await startStandaloneServer(server, {
  listen: { port, host: "127.0.0.1" },
  // Every request reads the configured database (@neo4j/graphql runs queries in read transactions).
  context: async () => ({ sessionConfig: { database } }),
});
console.log(`peer ready at ${url} (Neo4j ${uri}, database ${database})`);

async function stop(signal) {
  console.log(`${signal}: stopping`);
  await server.stop();
  await driver.close();
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
