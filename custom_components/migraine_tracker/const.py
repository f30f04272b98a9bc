"""Constants for the Migraine Tracker integration."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

DOMAIN: Final = "migraine_tracker"

CONF_PERSON: Final = "person"
CONF_MEDICATION_NAME: Final = "medication_name"
CONF_DOSE_MG: Final = "dose_mg"
CONF_DOSES_PER_DAY: Final = "doses_per_day"

DEFAULT_MEDICATION_NAME: Final = "Magnesium glycinate"
DEFAULT_DOSE_MG: Final = 400
DEFAULT_DOSES_PER_DAY: Final = 1

MEDICATION_NAME_MAX_LENGTH: Final = 60
DOSE_MG_MIN: Final = 1
DOSE_MG_MAX: Final = 5000
DOSES_PER_DAY_MIN: Final = 1
DOSES_PER_DAY_MAX: Final = 6

SEVERITY_MIN: Final = 0
SEVERITY_MAX: Final = 10
NOTE_MAX_LENGTH: Final = 1000
LIST_MAX_ITEMS: Final = 20
LIST_ITEM_MAX_LENGTH: Final = 60

# Clocks of phones and servers drift; a little future is a typo, more is a mistake.
FUTURE_TOLERANCE: Final = timedelta(minutes=5)

EVENT_DOSE_LOGGED: Final = f"{DOMAIN}_dose_logged"
EVENT_EPISODE_STARTED: Final = f"{DOMAIN}_episode_started"
EVENT_EPISODE_ENDED: Final = f"{DOMAIN}_episode_ended"
EVENT_ENTRY_CHANGED: Final = f"{DOMAIN}_entry_changed"

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
