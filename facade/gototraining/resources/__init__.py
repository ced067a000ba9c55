"""Resource namespaces (``client.trainings``, ``client.registrants``, ``client.reports``, ...)."""

from .organizers import AsyncOrganizers, Organizers
from .recordings import AsyncRecordings, Recordings
from .registrants import AsyncRegistrants, Registrants
from .reports import AsyncReports, Reports
from .trainings import AsyncTrainings, Trainings

__all__ = [
    "AsyncOrganizers",
    "AsyncRecordings",
    "AsyncRegistrants",
    "AsyncReports",
    "AsyncTrainings",
    "Organizers",
    "Recordings",
    "Registrants",
    "Reports",
    "Trainings",
]
