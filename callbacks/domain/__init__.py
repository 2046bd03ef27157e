"""Pure business logic: no models, no database, no requests."""
