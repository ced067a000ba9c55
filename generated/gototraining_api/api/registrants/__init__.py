"""Endpoint functions of the GoToTraining API's registrants operations."""
