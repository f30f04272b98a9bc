"""Config flow: name a diary, link a person, set the supplement."""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
)

from .const import (
    CONF_DOSE_MG,
    CONF_DOSES_PER_DAY,
    CONF_MEDICATION_NAME,
    CONF_PERSON,
    DEFAULT_DOSE_MG,
    DEFAULT_DOSES_PER_DAY,
    DEFAULT_MEDICATION_NAME,
    DOMAIN,
    DOSE_MG_MAX,
    DOSE_MG_MIN,
    DOSES_PER_DAY_MAX,
    DOSES_PER_DAY_MIN,
    MEDICATION_NAME_MAX_LENGTH,
)

NAME_MAX_LENGTH = 60


def _diary_schema(defaults: dict[str, Any]) -> vol.Schema:
    """Return the form for a diary's name and person."""
    person = defaults.get(CONF_PERSON)
    return vol.Schema(
        {
            vol.Required(
                CONF_NAME, default=defaults.get(CONF_NAME, "")
            ): TextSelector(),
            vol.Optional(
                CONF_PERSON,
                description={"suggested_value": person} if person else None,
            ): EntitySelector(EntitySelectorConfig(domain="person")),
        }
    )


def _medication_schema(defaults: dict[str, Any]) -> vol.Schema:
    """Return the form for the supplement, its dose and the daily target."""
    return vol.Schema(
        {
            vol.Required(
                CONF_MEDICATION_NAME,
                default=defaults.get(CONF_MEDICATION_NAME, DEFAULT_MEDICATION_NAME),
            ): TextSelector(),
            vol.Required(
                CONF_DOSE_MG, default=defaults.get(CONF_DOSE_MG, DEFAULT_DOSE_MG)
            ): NumberSelector(
                NumberSelectorConfig(
                    min=DOSE_MG_MIN,
                    max=DOSE_MG_MAX,
                    step=1,
                    mode=NumberSelectorMode.BOX,
                    unit_of_measurement="mg",
                )
            ),
            vol.Required(
                CONF_DOSES_PER_DAY,
                default=defaults.get(CONF_DOSES_PER_DAY, DEFAULT_DOSES_PER_DAY),
            ): NumberSelector(
                NumberSelectorConfig(
                    min=DOSES_PER_DAY_MIN,
                    max=DOSES_PER_DAY_MAX,
                    step=1,
                    mode=NumberSelectorMode.SLIDER,
                )
            ),
        }
    )


def _check_medication(
    user_input: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean the medication options and report what breaks a rule."""
    errors: dict[str, str] = {}
    name = str(user_input[CONF_MEDICATION_NAME]).strip()
    if not 1 <= len(name) <= MEDICATION_NAME_MAX_LENGTH:
        errors[CONF_MEDICATION_NAME] = "medication_name_length"
    dose = float(user_input[CONF_DOSE_MG])
    if not dose.is_integer() or not DOSE_MG_MIN <= dose <= DOSE_MG_MAX:
        errors[CONF_DOSE_MG] = "dose_mg_range"
    per_day = float(user_input[CONF_DOSES_PER_DAY])
    if (
        not per_day.is_integer()
        or not DOSES_PER_DAY_MIN <= per_day <= DOSES_PER_DAY_MAX
    ):
        errors[CONF_DOSES_PER_DAY] = "doses_per_day_range"
    options = {
        CONF_MEDICATION_NAME: name,
        CONF_DOSE_MG: int(dose),
        CONF_DOSES_PER_DAY: int(per_day),
    }
    return options, errors


class MigraineTrackerConfigFlow(ConfigFlow, domain=DOMAIN):
    """Create a diary for one person."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        """Start with nothing chosen."""
        self._diary: dict[str, Any] = {}

    def _check_diary(
        self, user_input: dict[str, Any], current: ConfigEntry | None = None
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Clean the name and person and report what breaks a rule."""
        errors: dict[str, str] = {}
        name = str(user_input[CONF_NAME]).strip()
        if not 1 <= len(name) <= NAME_MAX_LENGTH:
            errors[CONF_NAME] = "name_length"
        elif any(
            entry.title.casefold() == name.casefold()
            for entry in self._async_current_entries(include_ignore=False)
            if current is None or entry.entry_id != current.entry_id
        ):
            errors[CONF_NAME] = "name_exists"
        diary = {CONF_NAME: name}
        if person := user_input.get(CONF_PERSON):
            diary[CONF_PERSON] = person
        return diary, errors

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the diary's name and the person it belongs to."""
        errors: dict[str, str] = {}
        if user_input is not None:
            diary, errors = self._check_diary(user_input)
            if not errors:
                self._diary = diary
                return await self.async_step_medication()
        return self.async_show_form(
            step_id="user",
            data_schema=_diary_schema(user_input or {}),
            errors=errors,
        )

    async def async_step_medication(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the supplement, its dose and the daily target."""
        errors: dict[str, str] = {}
        if user_input is not None:
            options, errors = _check_medication(user_input)
            if not errors:
                return self.async_create_entry(
                    title=self._diary[CONF_NAME], data=self._diary, options=options
                )
        return self.async_show_form(
            step_id="medication",
            data_schema=_medication_schema(user_input or {}),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Rename a diary or link it to another person."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            diary, errors = self._check_diary(user_input, entry)
            if not errors:
                return self.async_update_reload_and_abort(
                    entry, title=diary[CONF_NAME], data=diary
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=_diary_schema(user_input or dict(entry.data)),
            errors=errors,
        )

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Return the flow that changes the supplement settings."""
        return MigraineTrackerOptionsFlow()


class MigraineTrackerOptionsFlow(OptionsFlow):
    """Change the supplement, its dose and the daily target."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and save the supplement settings."""
        errors: dict[str, str] = {}
        if user_input is not None:
            options, errors = _check_medication(user_input)
            if not errors:
                return self.async_create_entry(data=options)
        return self.async_show_form(
            step_id="init",
            data_schema=_medication_schema(
                user_input or dict(self.config_entry.options)
            ),
            errors=errors,
        )
