"""Hand-written builders: the operations ``openapi/facade.yaml`` cannot describe alone.

A builder validates the caller's input (``_validation``; ``ValidationError`` before anything is
sent), builds the request with ``_requests`` and picks the decoder; it returns a ``Call``, a
``Plan`` (several requests) or a ``Download``. ``scripts/facade_codegen`` turns each builder
named in ``openapi/facade.yaml`` into a sync and an async method of
``gototraining/resources/<namespace>.py``: the builder's parameters (minus a leading
``organizer_key``, which the client supplies) and docstring are the method's, followed by the
per-call options of ``CallOptions``.
"""
