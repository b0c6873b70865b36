"""The HTTP side, and the only importer of Starlette: the app's composition, the GraphQL view, middleware, the
browser session, the report routes, GraphiQL's page, and uvicorn's protocol and logging."""
