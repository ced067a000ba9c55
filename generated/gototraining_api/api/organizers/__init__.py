"""Endpoint functions of the GoToTraining API's organizers operations."""
