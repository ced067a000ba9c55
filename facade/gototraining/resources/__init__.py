"""Resource namespaces (``client.trainings``, ``client.registrants``, ``client.organizers``)."""

from .organizers import AsyncOrganizers, Organizers
from .registrants import AsyncRegistrants, Registrants
from .trainings import AsyncTrainings, Trainings

__all__ = [
    "AsyncOrganizers",
    "AsyncRegistrants",
    "AsyncTrainings",
    "Organizers",
    "Registrants",
    "Trainings",
]
