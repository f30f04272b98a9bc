"""Voice: sentences spoken to Assist, the diary they reach, and what is said back."""

from __future__ import annotations

import dataclasses
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from voluptuous_openapi import convert

from custom_components.migraine_tracker.intent import (
    INTENT_DAYS_SINCE_MIGRAINE,
    INTENT_DOSE_STATUS,
    INTENT_END_MIGRAINE,
    INTENT_LOG_DOSE,
    INTENT_START_MIGRAINE,
)
from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import intent, llm
from homeassistant.setup import async_setup_component

from .conftest import call, make_entry, setup_entry

NOW = "2026-03-10 12:00:00+01:00"
ALL_INTENTS = {
    INTENT_LOG_DOSE,
    INTENT_START_MIGRAINE,
    INTENT_END_MIGRAINE,
    INTENT_DAYS_SINCE_MIGRAINE,
    INTENT_DOSE_STATUS,
}


@pytest.fixture(autouse=True)
async def assist(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Start Assist's built-in agent at a fixed moment."""
    freezer.move_to(NOW)
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    assert await async_setup_component(hass, "intent", {})


async def say(
    hass: HomeAssistant, text: str, user_id: str | None = None
) -> intent.IntentResponse:
    """Say a sentence to Assist and return its answer."""
    result = await conversation.async_converse(
        hass, text, None, Context(user_id=user_id), language="en"
    )
    return result.response


def speech(response: intent.IntentResponse) -> str:
    """Return what Assist says."""
    return str(response.speech["plain"]["speech"])


async def entries(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """Return a diary's doses and episodes."""
    result = await call(hass, "get_entries", config_entry_id=entry.entry_id)
    assert isinstance(result, dict)
    return result


async def assert_empty(hass: HomeAssistant, *diaries: MockConfigEntry) -> None:
    """Assert that nothing was logged in the diaries."""
    for entry in diaries:
        assert await entries(hass, entry) == {"doses": [], "episodes": []}


async def add_person(hass: HomeAssistant, user: MockUser, name: str) -> str:
    """Create a person linked to a user and return its entity id."""
    assert await async_setup_component(
        hass,
        "person",
        {"person": [{"id": name.lower(), "name": name, "user_id": user.id}]},
    )
    await hass.async_block_till_done()
    entity_id = f"person.{name.lower()}"
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes["user_id"] == user.id
    return entity_id


# What the SPEC promises, and the variants people say.


@pytest.mark.parametrize(
    ("sentence", "intent_type"),
    [
        ("I took my magnesium", INTENT_LOG_DOSE),
        ("I took my supplement", INTENT_LOG_DOSE),
        ("log my magnesium", INTENT_LOG_DOSE),
        ("I just took my magnesium", INTENT_LOG_DOSE),
        ("log 200 mg of magnesium", INTENT_LOG_DOSE),
        ("Sam took the magnesium", INTENT_LOG_DOSE),
        ("I have a migraine", INTENT_START_MIGRAINE),
        ("I've got a migraine", INTENT_START_MIGRAINE),
        ("log a migraine with severity 7", INTENT_START_MIGRAINE),
        ("I have a migraine, severity 7", INTENT_START_MIGRAINE),
        ("log a migraine for Sam", INTENT_START_MIGRAINE),
        ("my migraine is over", INTENT_END_MIGRAINE),
        ("migraine ended", INTENT_END_MIGRAINE),
        ("how many days since my last migraine", INTENT_DAYS_SINCE_MIGRAINE),
        ("how long since my last migraine", INTENT_DAYS_SINCE_MIGRAINE),
        ("did I take my magnesium today", INTENT_DOSE_STATUS),
    ],
)
async def test_sentences_reach_their_intent(
    hass: HomeAssistant, sentence: str, intent_type: str
) -> None:
    """Every promised sentence reaches its intent and gets an answer."""
    await setup_entry(hass, make_entry("Sam"))
    response = await say(hass, sentence)
    assert response.intent is not None
    assert response.intent.intent_type == intent_type
    assert speech(response)


@pytest.mark.parametrize(
    "sentence",
    [
        "I took my magnesium",
        "I took my supplement",
        "log my magnesium",
        "I just took my magnesium",
    ],
)
async def test_log_dose(
    hass: HomeAssistant, diary_entry: MockConfigEntry, sentence: str
) -> None:
    """Saying a dose logs the usual amount and says the streak."""
    response = await say(hass, sentence)
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert speech(response) == (
        "Logged 400 mg of magnesium glycinate. That's your first day."
    )
    doses = (await entries(hass, diary_entry))["doses"]
    assert [dose["amount_mg"] for dose in doses] == [400]
    assert doses[0]["taken_at"] == "2026-03-10T12:00:00+01:00"


async def test_log_dose_with_amount(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """An amount in the sentence is the amount logged."""
    response = await say(hass, "log 200 mg of magnesium")
    assert speech(response).startswith("Logged 200 mg of magnesium glycinate.")
    doses = (await entries(hass, diary_entry))["doses"]
    assert [dose["amount_mg"] for dose in doses] == [200]


async def test_log_dose_streak(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """The answer counts the days in a row, today included."""
    for day in range(2, 10):
        await call(hass, "log_dose", taken_at=f"2026-03-0{day} 08:00:00")
    response = await say(hass, "I took my magnesium")
    assert speech(response) == (
        "Logged 400 mg of magnesium glycinate. That's 9 days in a row."
    )


async def test_log_dose_new_streak(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """After a missed day, the streak starts again at one."""
    await call(hass, "log_dose", taken_at="2026-03-08 08:00:00")
    response = await say(hass, "I took my magnesium")
    assert speech(response) == (
        "Logged 400 mg of magnesium glycinate. That's day one of a new streak."
    )


async def test_log_dose_against_several_a_day(hass: HomeAssistant) -> None:
    """With several doses a day, the answer counts toward today's target."""
    entry = await setup_entry(hass, make_entry(doses_per_day=2, dose_mg=200))
    first = await say(hass, "I took my magnesium")
    assert speech(first) == "Logged 200 mg of magnesium glycinate. That's 1 of 2 today."
    second = await say(hass, "I took my magnesium")
    assert speech(second) == (
        "Logged 200 mg of magnesium glycinate. That's your first day."
    )
    third = await say(hass, "I took my magnesium")
    assert speech(third) == (
        "Logged 200 mg of magnesium glycinate."
        " That's 3 doses today; the daily target is 2."
    )
    assert len((await entries(hass, entry))["doses"]) == 3


@pytest.mark.parametrize("sentence", ["I have a migraine", "I've got a migraine"])
async def test_start_migraine(
    hass: HomeAssistant, diary_entry: MockConfigEntry, sentence: str
) -> None:
    """Saying a migraine started logs an ongoing episode."""
    response = await say(hass, sentence)
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert speech(response) == "Logged a migraine. I hope it passes soon."
    episodes = (await entries(hass, diary_entry))["episodes"]
    assert len(episodes) == 1
    assert episodes[0]["started_at"] == "2026-03-10T12:00:00+01:00"
    assert episodes[0]["ended_at"] is None
    assert episodes[0]["severity"] is None


@pytest.mark.parametrize(
    "sentence",
    [
        "log a migraine with severity 7",
        "I have a migraine, severity 7",
        "I have a migraine with severity seven",
    ],
)
async def test_start_migraine_with_severity(
    hass: HomeAssistant, diary_entry: MockConfigEntry, sentence: str
) -> None:
    """A severity in the sentence is logged with the episode."""
    response = await say(hass, sentence)
    assert speech(response) == "Logged a migraine, severity 7. I hope it passes soon."
    episodes = (await entries(hass, diary_entry))["episodes"]
    assert [episode["severity"] for episode in episodes] == [7]


async def test_second_migraine_is_refused_aloud(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """A second ongoing migraine is not logged; the answer says why."""
    await say(hass, "I have a migraine")
    response = await say(hass, "log a migraine with severity 7")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert speech(response) == (
        "You have a migraine logged already. Tell me when it's over."
    )
    episodes = (await entries(hass, diary_entry))["episodes"]
    assert [episode["severity"] for episode in episodes] == [None]


@pytest.mark.parametrize("sentence", ["my migraine is over", "migraine ended"])
async def test_end_migraine(
    hass: HomeAssistant,
    diary_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    sentence: str,
) -> None:
    """Saying the migraine is over ends it and says how long it lasted."""
    await say(hass, "I have a migraine")
    freezer.move_to("2026-03-10 14:30:00+01:00")
    response = await say(hass, sentence)
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert speech(response) == (
        "Ended your migraine. It lasted 2 hours and 30 minutes."
    )
    episodes = (await entries(hass, diary_entry))["episodes"]
    assert episodes[0]["ended_at"] == "2026-03-10T14:30:00+01:00"


async def test_nothing_to_end_is_said_aloud(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """Ending a migraine when none is going on changes nothing, and says so."""
    response = await say(hass, "my migraine is over")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert speech(response) == "There is no migraine going on in your diary to end."
    await assert_empty(hass, diary_entry)


@pytest.mark.parametrize(
    "sentence",
    ["how many days since my last migraine", "how long since my last migraine"],
)
async def test_days_since_migraine(
    hass: HomeAssistant, diary_entry: MockConfigEntry, sentence: str
) -> None:
    """The answer gives whole days since the last migraine ended."""
    assert speech(await say(hass, sentence)) == "No migraine logged yet."
    await call(
        hass,
        "log_episode",
        started_at="2026-02-26 07:00:00",
        ended_at="2026-02-26 22:00:00",
    )
    assert speech(await say(hass, sentence)) == (
        "It's been 12 days since your last migraine."
    )
    await call(
        hass,
        "log_episode",
        started_at="2026-03-09 18:00:00",
        ended_at="2026-03-09 23:00:00",
    )
    assert speech(await say(hass, sentence)) == "Your last migraine ended yesterday."
    await call(
        hass,
        "log_episode",
        started_at="2026-03-10 07:00:00",
        ended_at="2026-03-10 09:00:00",
    )
    assert speech(await say(hass, sentence)) == "Your last migraine ended today."
    await say(hass, "I have a migraine")
    assert speech(await say(hass, sentence)) == "You have a migraine right now."


async def test_dose_status(hass: HomeAssistant, diary_entry: MockConfigEntry) -> None:
    """Asking about today's dose answers from today's doses."""
    question = "did I take my magnesium today"
    assert speech(await say(hass, question)) == "Not yet today."
    await say(hass, "I took my magnesium")
    assert speech(await say(hass, question)) == "Yes, 1 of 1 doses today."
    await say(hass, "I took my magnesium")
    assert speech(await say(hass, question)) == (
        "Yes, 2 doses today; the daily target is 1."
    )


async def test_dose_status_against_several_a_day(hass: HomeAssistant) -> None:
    """With several doses a day, a partial day is not yet done."""
    await setup_entry(hass, make_entry(doses_per_day=2))
    await say(hass, "I took my magnesium")
    response = await say(hass, "did I take my magnesium today")
    assert speech(response) == "Not yet: 1 of 2 doses today."


# Which diary: named, else the speaker's, else the only one; else a question.


@pytest.fixture
async def household(hass: HomeAssistant) -> tuple[MockConfigEntry, MockConfigEntry]:
    """Set up two diaries, Alex's and Sam's, linked to nobody."""
    alex = await setup_entry(hass, make_entry("Alex"))
    sam = await setup_entry(hass, make_entry("Sam"))
    return alex, sam


@pytest.mark.parametrize(
    "sentence", ["log a migraine for Sam", "log a migraine for sam"]
)
async def test_named_diary(
    hass: HomeAssistant,
    household: tuple[MockConfigEntry, MockConfigEntry],
    sentence: str,
) -> None:
    """A name in the sentence picks that diary, whatever its case."""
    alex, sam = household
    response = await say(hass, sentence)
    assert speech(response) == "Logged a migraine for Sam. I hope it passes soon."
    assert len((await entries(hass, sam))["episodes"]) == 1
    await assert_empty(hass, alex)


async def test_named_diary_in_front(
    hass: HomeAssistant, household: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """'Sam took the magnesium' logs into Sam's diary, speaking of Sam."""
    alex, sam = household
    response = await say(hass, "Sam took the magnesium")
    assert speech(response) == (
        "Logged 400 mg of magnesium glycinate for Sam. That's Sam's first day."
    )
    assert len((await entries(hass, sam))["doses"]) == 1
    await assert_empty(hass, alex)
    answer = await say(hass, "how many days since Sam's last migraine")
    assert speech(answer) == "No migraine logged yet."
    assert speech(await say(hass, "did Sam take the magnesium today")) == (
        "Yes, 1 of 1 doses today."
    )


async def test_named_diary_with_severity(
    hass: HomeAssistant, household: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """Name and severity in one sentence both count."""
    alex, sam = household
    response = await say(hass, "log a migraine for Sam with severity 4")
    assert speech(response) == (
        "Logged a migraine for Sam, severity 4. I hope it passes soon."
    )
    episodes = (await entries(hass, sam))["episodes"]
    assert [episode["severity"] for episode in episodes] == [4]
    await assert_empty(hass, alex)
    response = await say(hass, "Sam's migraine is over")
    assert speech(response) == "Ended Sam's migraine. It lasted less than a minute."


async def test_unknown_name_is_said_aloud(
    hass: HomeAssistant, household: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """A name no diary answers to logs nothing and names the diaries."""
    response = await say(hass, "log a migraine for Robin")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert speech(response) == (
        "I couldn't find a diary for Robin. The diaries are Alex and Sam."
    )
    await assert_empty(hass, *household)


async def test_ambiguous_diary_asks_whose(
    hass: HomeAssistant, household: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """Two diaries, no name, no linked speaker: nothing logged, a question back."""
    for sentence in ("I took my magnesium", "I have a migraine"):
        response = await say(hass, sentence)
        assert response.response_type is intent.IntentResponseType.ERROR
        assert speech(response) == "Whose diary? Alex or Sam?"
    await assert_empty(hass, *household)


async def test_linked_user_diary(
    hass: HomeAssistant,
    hass_admin_user: MockUser,
) -> None:
    """The speaker's own diary is the one linked to their person."""
    person = await add_person(hass, hass_admin_user, "Robin")
    alex = await setup_entry(hass, make_entry("Alex"))
    mine = await setup_entry(hass, make_entry("Rob", person=person))
    response = await say(hass, "I took my magnesium", user_id=hass_admin_user.id)
    assert speech(response) == (
        "Logged 400 mg of magnesium glycinate. That's your first day."
    )
    assert len((await entries(hass, mine))["doses"]) == 1
    await assert_empty(hass, alex)

    # A name in the sentence wins over the link...
    response = await say(hass, "log a migraine for Alex", user_id=hass_admin_user.id)
    assert speech(response) == "Logged a migraine for Alex. I hope it passes soon."
    assert len((await entries(hass, alex))["episodes"]) == 1
    assert not (await entries(hass, mine))["episodes"]

    # ...and the linked person's name reaches the diary too, spoken of as "you".
    response = await say(hass, "log a migraine for robin", user_id=hass_admin_user.id)
    assert speech(response) == "Logged a migraine. I hope it passes soon."
    assert len((await entries(hass, mine))["episodes"]) == 1

    # Someone else, not linked, is asked whose diary.
    response = await say(hass, "I took my magnesium", user_id="someone-else")
    assert speech(response) == "Whose diary? Alex or Rob?"


async def test_only_diary_needs_no_link(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """With one diary, anyone's sentence goes to it."""
    response = await say(hass, "I have a migraine", user_id="anyone")
    assert speech(response) == "Logged a migraine. I hope it passes soon."
    assert len((await entries(hass, diary_entry))["episodes"]) == 1


async def test_no_diary_is_said_aloud(hass: HomeAssistant) -> None:
    """With no diary loaded, the answer says so."""
    entry = await setup_entry(hass, make_entry())
    assert await hass.config_entries.async_unload(entry.entry_id)
    response = await say(hass, "I took my magnesium")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert speech(response) == "There is no migraine diary set up yet."


# LLM agents get the intents as tools.


async def test_intents_are_llm_tools(
    hass: HomeAssistant, household: tuple[MockConfigEntry, MockConfigEntry]
) -> None:
    """The Assist API offers every intent as a tool, with its slots."""
    llm_context = llm.LLMContext(
        platform="test",
        context=Context(),
        user_prompt="I have a migraine",
        language="en",
        assistant=conversation.DOMAIN,
        device_id=None,
    )
    api = await llm.async_get_api(hass, llm.LLM_API_ASSIST, llm_context)
    tools = {tool.name: tool for tool in api.tools}
    assert set(tools) >= ALL_INTENTS
    for name in ALL_INTENTS:
        assert tools[name].description
    start = tools[INTENT_START_MIGRAINE]
    assert {str(key) for key in start.parameters.schema} == {"name", "severity"}
    log_dose = tools[INTENT_LOG_DOSE]
    assert {str(key) for key in log_dose.parameters.schema} == {"name", "amount"}
    # What an LLM integration sends to the model: every slot optional, typed.
    parameters = convert(start.parameters, custom_serializer=api.custom_serializer)
    assert parameters["properties"]["severity"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 10,
        "description": "How bad it is, from 0 (none) to 10 (worst).",
    }
    assert parameters["properties"]["name"]["type"] == "string"
    assert not parameters.get("required")

    result = await api.async_call_tool(
        llm.ToolInput(INTENT_START_MIGRAINE, {"name": "Sam", "severity": 5})
    )
    assert result["response_type"] == "action_done"
    assert result["speech"]["plain"]["speech"] == (
        "Logged a migraine for Sam, severity 5. I hope it passes soon."
    )
    alex, sam = household
    episodes = (await entries(hass, sam))["episodes"]
    assert [episode["severity"] for episode in episodes] == [5]
    await assert_empty(hass, alex)


async def test_save_failure_is_said_aloud(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """A diary that cannot be saved logs nothing, and the answer says so."""
    with patch(
        "custom_components.migraine_tracker.store._write_all",
        side_effect=OSError("disk full"),
    ):
        response = await say(hass, "I took my magnesium")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert speech(response) == (
        "Sorry, the diary could not be saved, so nothing was logged."
    )
    await assert_empty(hass, diary_entry)


async def test_rule_refused_meanwhile_is_said_aloud(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """A migraine logged by a button just before the voice request is named as such."""
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.alex_start_migraine"}, blocking=True
    )
    diary = diary_entry.runtime_data
    # As if the voice request checked the numbers before the button's change.
    diary.stats = dataclasses.replace(diary.stats, migraine_ongoing=False)
    response = await say(hass, "I have a migraine")
    assert response.response_type is intent.IntentResponseType.ERROR
    assert "already ongoing" in speech(response)


async def test_unknown_name_with_one_diary(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """A wrong name is not taken to mean the only diary."""
    response = await say(hass, "Robin took the magnesium")
    assert speech(response) == (
        "I couldn't find a diary for Robin. The only diary is Alex's."
    )
    await assert_empty(hass, diary_entry)


async def test_three_diaries_ask_whose(hass: HomeAssistant) -> None:
    """The question names every diary."""
    diaries = [
        await setup_entry(hass, make_entry(name)) for name in ("Sam", "Alex", "Robin")
    ]
    response = await say(hass, "did I take my magnesium today")
    assert speech(response) == "Whose diary? Alex, Robin or Sam?"
    await assert_empty(hass, *diaries)


async def test_name_shared_by_two_diaries_asks_whose(
    hass: HomeAssistant, hass_admin_user: MockUser
) -> None:
    """A name that two diaries answer to is asked about, not guessed."""
    person = await add_person(hass, hass_admin_user, "Sam")
    samantha = await setup_entry(hass, make_entry("Samantha", person=person))
    sam = await setup_entry(hass, make_entry("Sam"))
    response = await say(hass, "log a migraine for Sam")
    assert speech(response) == "Whose diary? Sam or Samantha?"
    await assert_empty(hass, samantha, sam)


async def test_medication_name_keeps_its_case(
    hass: HomeAssistant, diary_entry: MockConfigEntry
) -> None:
    """A name like 'B2 complex' is said as written; 'Magnesium' is not shouted."""
    hass.config_entries.async_update_entry(
        diary_entry, options={**diary_entry.options, "medication_name": "B2 complex"}
    )
    await hass.async_block_till_done()
    response = await say(hass, "I took my supplement")
    assert speech(response) == "Logged 400 mg of B2 complex. That's your first day."
