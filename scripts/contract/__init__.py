"""Contract checks run by ``make contract`` and ``make test`` (see docs/regenerating.md).

Each module is runnable as ``python -m scripts.contract.<name>``, prints a report and exits
non-zero on failure:

- ``spec_lint``    the Swagger 2.0 source is valid, converts to valid OpenAPI 3, and passes the
                   project's lint rules
- ``cassettes``    every recorded VCR interaction matches a spec operation and validates against it
- ``coverage``     every operation has a sync and an async facade method and at least one cassette
- ``api_snapshot`` the facade's public API equals the committed snapshot; breaking changes need a
                   CHANGELOG entry
- ``sandbox``      a bounded property-based run against the sandbox finds no spec violation
"""
