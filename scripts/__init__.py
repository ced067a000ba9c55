"""Developer scripts (not shipped). ``scripts.contract`` holds the CI contract checks."""
