"""Hand-written builders: the operations ``openapi/facade.yaml`` cannot describe alone.

A builder validates the caller's input (``_validation``; ``ValidationError`` before anything is
sent), builds the request with ``_generated.requests`` and picks the decoder; it returns a
``Call``, a ``Plan`` (several requests), a ``Batch`` or a ``Download``. ``scripts/facade_codegen``
turns each builder named in ``openapi/facade.yaml`` into a sync and an async method of
``gototraining/resources/<namespace>.py``: the builder's parameters (minus a leading
``organizer_key``, which the client supplies) are the method's, followed by the per-call options
of ``CallOptions``; the method's docstring is the mapping's ``doc`` (the generator checks that
its ``Args:`` name exactly these parameters). A builder's own docstring is for maintainers.
"""
