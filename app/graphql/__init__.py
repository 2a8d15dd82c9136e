"""The GraphQL API: types, queries, mutations, assembled in schema.py."""
