"""A Redis-backed cache of public GraphQL responses, kept true by the tables they read.

A query whose root fields are all public catalog reads (`title`, `titles`, `search`, ...),
sent by anyone but staff (who also see confidential titles), is looked up under the hash
of its normalised document, its operation name and its variables; a region is always an
argument, so it is part of them. On a miss the response is computed while every SQL
statement is watched for the tables it reads, and stored with each table's current token,
if it has no errors and read public tables only (never a profile, an account or a
production).

Every statement any process commits (admin, mutations, workers, commands) is watched for
the public tables it writes; when its transaction commits, those tables get new tokens.
A stored response is served only while every table it read still has the token it was
stored with: a staff edit is visible in the very next response. Entries also expire
after `GRAPHQL_RESPONSE_CACHE_SECONDS`, which bounds what no write announces (an
availability window opening with the clock).

`config.table_tokens` watches the statements, `store` keeps the entries in Redis.
"""
