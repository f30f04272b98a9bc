"""Voice: intents that Assist and LLM agents use to log to and ask a diary.

Every answer is a short spoken sentence. A rule the diary refuses (a second
ongoing migraine, nothing to end) or a diary that cannot be chosen is said
out loud as an error response; nothing is logged then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import voluptuous as vol

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, intent

from .const import (
    CONF_PERSON,
    DOMAIN,
    DOSE_MG_MAX,
    DOSE_MG_MIN,
    SEVERITY_MAX,
    SEVERITY_MIN,
)
from .custom_sentences import async_install_sentences
from .diary import Diary

INTENT_LOG_DOSE = "MigraineTrackerLogDose"
INTENT_START_MIGRAINE = "MigraineTrackerStartMigraine"
INTENT_END_MIGRAINE = "MigraineTrackerEndMigraine"
INTENT_DAYS_SINCE_MIGRAINE = "MigraineTrackerDaysSinceMigraine"
INTENT_DOSE_STATUS = "MigraineTrackerDoseStatus"

# Words a speaker uses for themself where a sentence expects a name.
SELF_WORDS = frozenset({"i", "me", "my", "myself", "mine"})

NAME_SLOT: dict[vol.Marker, Any] = {
    vol.Optional(
        "name",
        description=(
            "Whose diary: the person's name. Leave out to use the speaking"
            " user's own diary."
        ),
    ): cv.string
}


async def async_setup_intents(hass: HomeAssistant) -> None:
    """Register the intents and install their English sentences."""
    for handler in (
        LogDoseIntentHandler(),
        StartMigraineIntentHandler(),
        EndMigraineIntentHandler(),
        DaysSinceMigraineIntentHandler(),
        DoseStatusIntentHandler(),
    ):
        intent.async_register(hass, handler)
    await async_install_sentences(hass)


@dataclass(frozen=True, slots=True)
class Addressee:
    """The diary an intent is about, and how to speak of its owner."""

    diary: Diary
    own: bool

    @property
    def whose(self) -> str:
        """Return 'your' or "Sam's"."""
        return "your" if self.own else f"{self.diary.name}'s"

    @property
    def whose_first(self) -> str:
        """Return 'Your' or "Sam's", to start a sentence with."""
        return "Your" if self.own else self.whose

    @property
    def who(self) -> str:
        """Return 'You' or 'Sam', to start a sentence with."""
        return "You" if self.own else self.diary.name

    @property
    def who_has(self) -> str:
        """Return 'You have' or 'Sam has'."""
        return f"{self.who} {'have' if self.own else 'has'}"

    @property
    def for_whom(self) -> str:
        """Return '' for the speaker's own diary, else ' for Sam'."""
        return "" if self.own else f" for {self.diary.name}"


class SpokenError(Exception):
    """Nothing was done; the message says why, or asks which diary."""


def _clean(name: str) -> str:
    """Return a spoken name in the form names are compared in."""
    name = " ".join(name.strip(' .,!?"').split()).casefold()
    for ending in ("'s", "’s"):
        name = name.removesuffix(ending)
    return name


def _spoken_list(names: list[str], conjunction: str) -> str:
    """Return 'Alex', 'Alex or Sam' or 'Alex, Robin or Sam'."""
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {conjunction} {names[-1]}"


def _person_attribute(hass: HomeAssistant, diary: Diary, attribute: str) -> Any:
    """Return an attribute of the person linked to a diary, if any."""
    person = diary.entry.data.get(CONF_PERSON)
    if not person or (state := hass.states.get(person)) is None:
        return None
    return state.attributes.get(attribute)


def _names(hass: HomeAssistant, diary: Diary) -> set[str]:
    """Return the names a diary answers to."""
    names = {_clean(diary.name)}
    if friendly := _person_attribute(hass, diary, "friendly_name"):
        names.add(_clean(str(friendly)))
    return names


def _is_linked(hass: HomeAssistant, diary: Diary, user_id: str | None) -> bool:
    """Return whether a diary's person is the given Home Assistant user."""
    return user_id is not None and (
        _person_attribute(hass, diary, "user_id") == user_id
    )


def choose_diary(
    hass: HomeAssistant, name: str | None, user_id: str | None
) -> Addressee:
    """Return the diary meant: named, else the speaker's, else the only one.

    Raises SpokenError with what to say when that is not exactly one diary.
    """
    diaries = sorted(
        (
            entry.runtime_data
            for entry in hass.config_entries.async_entries(DOMAIN)
            if entry.state is ConfigEntryState.LOADED
        ),
        key=lambda diary: diary.name.casefold(),
    )
    if not diaries:
        raise SpokenError("There is no migraine diary set up yet.")
    all_names = [diary.name for diary in diaries]
    if name and (wanted := _clean(name)) and wanted not in SELF_WORDS:
        named = [diary for diary in diaries if wanted in _names(hass, diary)]
        if not named:
            known = (
                f"The only diary is {all_names[0]}'s."
                if len(all_names) == 1
                else f"The diaries are {_spoken_list(all_names, 'and')}."
            )
            raise SpokenError(f"I couldn't find a diary for {name.strip()}. {known}")
        if len(named) > 1:
            raise SpokenError(
                f"Whose diary? {_spoken_list([d.name for d in named], 'or')}?"
            )
        return Addressee(named[0], _is_linked(hass, named[0], user_id))
    linked = [diary for diary in diaries if _is_linked(hass, diary, user_id)]
    if len(linked) == 1:
        return Addressee(linked[0], True)
    if len(diaries) == 1:
        return Addressee(diaries[0], True)
    choices = [diary.name for diary in linked] or all_names
    raise SpokenError(f"Whose diary? {_spoken_list(choices, 'or')}?")


def _medication(diary: Diary) -> str:
    """Return the supplement's name as it reads inside a sentence."""
    name = diary.medication_name
    first, _, rest = name.partition(" ")
    # "Magnesium glycinate" reads as a common noun; "B12" or "Mg" keep their case.
    if first[:1].isupper() and first[1:].islower():
        return f"{first.lower()} {rest}".rstrip()
    return name


def _days(count: int) -> str:
    """Return '1 day' or '12 days'."""
    return f"{count} day" if count == 1 else f"{count} days"


def _duration(length: timedelta) -> str:
    """Return a length of time the way one says it: '3 hours and 20 minutes'."""
    minutes = int(length.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [
        f"{value} {unit}{'' if value == 1 else 's'}"
        for value, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if value
    ][:2]
    if not parts:
        return "less than a minute"
    return " and ".join(parts)


class DiaryIntentHandler(intent.IntentHandler):
    """An intent about one diary, chosen from the sentence and the speaker."""

    extra_slots: dict[vol.Marker, Any] = {}

    @property
    def slot_schema(self) -> dict[vol.Marker, Any]:
        """Return the slots: the diary's name and the intent's own."""
        return {**NAME_SLOT, **self.extra_slots}

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Choose the diary, act and answer in one short sentence."""
        slots = self.async_validate_slots(intent_obj.slots)
        values = {key: slot["value"] for key, slot in slots.items()}
        response = intent_obj.create_response()
        try:
            addressee = choose_diary(
                intent_obj.hass, values.get("name"), intent_obj.context.user_id
            )
            speech = await self.async_answer(addressee, values, intent_obj.context)
        except SpokenError as err:
            response.async_set_error(
                intent.IntentResponseErrorCode.FAILED_TO_HANDLE, str(err)
            )
            return response
        except ServiceValidationError as err:
            # A rule the diary refused, e.g. a migraine logged meanwhile by a
            # button: say the rule, not a disk failure.
            response.async_set_error(
                intent.IntentResponseErrorCode.FAILED_TO_HANDLE, str(err)
            )
            return response
        except HomeAssistantError:
            # The diary has logged the details; a voice answer stays short.
            response.async_set_error(
                intent.IntentResponseErrorCode.FAILED_TO_HANDLE,
                "Sorry, the diary could not be saved, so nothing was logged.",
            )
            return response
        response.async_set_speech(speech)
        return response

    async def async_answer(
        self, addressee: Addressee, values: dict[str, Any], context: Context
    ) -> str:
        """Do what was asked and return what to say."""
        raise NotImplementedError


class LogDoseIntentHandler(DiaryIntentHandler):
    """Log a dose of the supplement."""

    intent_type = INTENT_LOG_DOSE
    description = (
        "Logs that a person took their preventive supplement (by default"
        " magnesium) now, in their migraine diary."
    )
    extra_slots = {
        vol.Optional(
            "amount",
            description="The amount in mg; leave out for the usual dose.",
        ): vol.All(vol.Coerce(int), vol.Range(min=DOSE_MG_MIN, max=DOSE_MG_MAX))
    }

    async def async_answer(
        self, addressee: Addressee, values: dict[str, Any], context: Context
    ) -> str:
        """Log the dose and say the streak."""
        diary = addressee.diary
        dose = await diary.async_log_dose(
            amount_mg=values.get("amount"), context=context
        )
        logged = (
            f"Logged {dose.amount_mg} mg of {_medication(diary)}{addressee.for_whom}."
        )
        stats = diary.stats
        target = diary.doses_per_day
        if stats.doses_today < target:
            return f"{logged} That's {stats.doses_today} of {target} today."
        if stats.doses_today > target:
            return (
                f"{logged} That's {stats.doses_today} doses today;"
                f" the daily target is {target}."
            )
        if stats.dose_streak > 1:
            return f"{logged} That's {stats.dose_streak} days in a row."
        if len(diary.records.doses) == stats.doses_today:
            return f"{logged} That's {addressee.whose} first day."
        return f"{logged} That's day one of a new streak."


class StartMigraineIntentHandler(DiaryIntentHandler):
    """Log a migraine that is going on now."""

    intent_type = INTENT_START_MIGRAINE
    description = (
        "Logs that a person's migraine started now, optionally with its"
        " severity from 0 to 10, in their migraine diary."
    )
    extra_slots = {
        vol.Optional(
            "severity", description="How bad it is, from 0 (none) to 10 (worst)."
        ): vol.All(vol.Coerce(int), vol.Range(min=SEVERITY_MIN, max=SEVERITY_MAX))
    }

    async def async_answer(
        self, addressee: Addressee, values: dict[str, Any], context: Context
    ) -> str:
        """Start an episode, unless one is already going on."""
        diary = addressee.diary
        if diary.stats.migraine_ongoing:
            raise SpokenError(
                f"{addressee.who_has} a migraine logged already. Tell me when it's over."
            )
        severity = values.get("severity")
        fields = {} if severity is None else {"severity": severity}
        await diary.async_log_episode(context=context, **fields)
        rated = "" if severity is None else f", severity {severity}"
        return f"Logged a migraine{addressee.for_whom}{rated}. I hope it passes soon."


class EndMigraineIntentHandler(DiaryIntentHandler):
    """End the ongoing migraine."""

    intent_type = INTENT_END_MIGRAINE
    description = "Logs that a person's ongoing migraine is over now."

    async def async_answer(
        self, addressee: Addressee, values: dict[str, Any], context: Context
    ) -> str:
        """End the episode and say how long it lasted."""
        diary = addressee.diary
        if not diary.stats.migraine_ongoing:
            raise SpokenError(
                f"There is no migraine going on in {addressee.whose} diary to end."
            )
        episode = await diary.async_end_episode(context=context)
        assert episode.ended_at is not None
        lasted = _duration(episode.ended_at - episode.started_at)
        return f"Ended {addressee.whose} migraine. It lasted {lasted}."


class DaysSinceMigraineIntentHandler(DiaryIntentHandler):
    """Say how many days have passed since the last migraine."""

    intent_type = INTENT_DAYS_SINCE_MIGRAINE
    description = "Tells how many days have passed since a person's last migraine."

    async def async_answer(
        self, addressee: Addressee, values: dict[str, Any], context: Context
    ) -> str:
        """Say the days since the last migraine ended."""
        stats = addressee.diary.stats
        if stats.migraine_ongoing:
            return f"{addressee.who_has} a migraine right now."
        days = stats.days_since_last_migraine
        if days is None:
            return "No migraine logged yet."
        if days == 0:
            return f"{addressee.whose_first} last migraine ended today."
        if days == 1:
            return f"{addressee.whose_first} last migraine ended yesterday."
        return f"It's been {_days(days)} since {addressee.whose} last migraine."


class DoseStatusIntentHandler(DiaryIntentHandler):
    """Say whether today's doses were taken."""

    intent_type = INTENT_DOSE_STATUS
    description = (
        "Tells whether a person has taken today's preventive supplement"
        " (by default magnesium)."
    )

    async def async_answer(
        self, addressee: Addressee, values: dict[str, Any], context: Context
    ) -> str:
        """Say today's doses against the daily target."""
        stats = addressee.diary.stats
        target = addressee.diary.doses_per_day
        taken = stats.doses_today
        if not taken:
            return "Not yet today."
        if taken < target:
            return f"Not yet: {taken} of {target} doses today."
        if taken > target:
            return f"Yes, {taken} doses today; the daily target is {target}."
        return f"Yes, {taken} of {target} doses today."
