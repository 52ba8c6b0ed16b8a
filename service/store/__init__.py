"""The normalized store: models, sessions, the file store, and unit scoping."""
