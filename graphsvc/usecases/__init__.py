"""Use cases: read what an analysis needs through db/, run the analysis, hand back its result.

The GraphQL resolvers, the report routes and the CLI all go through here, so they give the same answers.
"""
