"""dengta domain: aggregates, events, value types, errors and the use cases."""
