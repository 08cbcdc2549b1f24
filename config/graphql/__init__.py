"""The GraphQL platform every app's schema stands on: the `/graphql/` view, its limits,
error model, shared arguments and loaders, trusted documents, federation, rate limits and
the response cache. Nothing here imports an app; the root schema (`config.schema`) and
the URLs, the roof of the house, are what bring the apps in."""
