// The GraphiQL IDE of DataOpen, bundled with esbuild; everything it needs ships in the bundle.
import React from "react";
import { createRoot } from "react-dom/client";
import { GraphiQL } from "graphiql";
import "graphiql/graphiql.css";

// The page is served at …/graphql, so the endpoint is the page's own path.
const endpoint = window.location.pathname.replace(/\/$/, "");

async function fetcher(params, options) {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/graphql-response+json, application/json", ...(options?.headers ?? {}) },
    body: JSON.stringify(params),
  });
  return response.json();
}

const defaultQuery = `# DataOpen GraphQL: the catalog and the rows of every open dataset.
# Press Ctrl+Enter to run; open the Docs panel to browse the schema.
{
  datasets(search: "空气质量", first: 3) {
    totalCount
    nodes { id title { zh en } rowsField }
  }
  airQualityHourly(filter: { aqi: { gt: 150 } }, orderBy: [{ field: aqi, direction: DESC }], first: 5) {
    totalCount
    nodes { station_name observed_at aqi pm2_5 }
    pageInfo { hasNextPage endCursor }
  }
}
`;

createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: true }),
);
