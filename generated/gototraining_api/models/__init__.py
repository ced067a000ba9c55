"""Contains all the data models used in inputs/outputs"""

from .attendance import Attendance
from .attendee import Attendee
from .date_time_range import DateTimeRange
from .error_response import ErrorResponse
from .host_url import HostUrl
from .notified_parties import NotifiedParties
from .organizer import Organizer
from .recording import Recording
from .recordings_list_for_training import RecordingsListForTraining
from .registrant import Registrant
from .registrant_created import RegistrantCreated
from .registrant_req_create import RegistrantReqCreate
from .registrant_status import RegistrantStatus
from .registration_settings import RegistrationSettings
from .session import Session
from .training import Training
from .training_name_description import TrainingNameDescription
from .training_organizers import TrainingOrganizers
from .training_req_create import TrainingReqCreate
from .training_times import TrainingTimes

__all__ = (
    "Attendance",
    "Attendee",
    "DateTimeRange",
    "ErrorResponse",
    "HostUrl",
    "NotifiedParties",
    "Organizer",
    "Recording",
    "RecordingsListForTraining",
    "Registrant",
    "RegistrantCreated",
    "RegistrantReqCreate",
    "RegistrantStatus",
    "RegistrationSettings",
    "Session",
    "Training",
    "TrainingNameDescription",
    "TrainingOrganizers",
    "TrainingReqCreate",
    "TrainingTimes",
)
