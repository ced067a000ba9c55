"""The facade code generator: spec + openapi/facade.yaml -> gototraining/_generated/ and gototraining/resources/."""
