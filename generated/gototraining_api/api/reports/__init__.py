"""Endpoint functions of the GoToTraining API's reports operations."""
