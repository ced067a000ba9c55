"""The facade code generator: spec + openapi/facade.yaml -> gototraining/_models.py & co."""
