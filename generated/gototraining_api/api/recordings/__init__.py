"""Endpoint functions of the GoToTraining API's recordings operations."""
