"""Put the evening dose reminder blueprint into the user's blueprints folder."""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
import hashlib
import logging
from pathlib import Path
from typing import Final

from homeassistant.components.automation import automations_with_blueprint
from homeassistant.components.automation.const import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.const import SERVICE_RELOAD
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.start import async_at_started

from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

BLUEPRINT_FILE: Final = "evening_dose_reminder.yaml"
SHIPPED_BLUEPRINT: Final = Path(__file__).parent / "blueprints" / BLUEPRINT_FILE
# The path automations name in `use_blueprint`, relative to blueprints/automation.
BLUEPRINT_PATH: Final = f"{DOMAIN}/{BLUEPRINT_FILE}"

# SHA-256 of every version of the blueprint this integration has shipped, the
# current one last. An installed file matching one of them is ours to replace;
# anything else is the user's edit. Append, never remove.
SHIPPED_VERSIONS: Final = (
    "431b554bf4689f663a229e50443549e21fe0646337cccc7e678b5fbc3844815d",
)


class InstallResult(StrEnum):
    """What installing the blueprint did."""

    INSTALLED = "installed"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    KEPT_USER_EDIT = "kept_user_edit"


def sha256(content: bytes) -> str:
    """Return the hex SHA-256 of some bytes."""
    return hashlib.sha256(content).hexdigest()


def install_blueprint(
    shipped: Path, target: Path, shipped_versions: Collection[str]
) -> InstallResult:
    """Copy the shipped blueprint to target unless the user changed the file there."""
    content = shipped.read_bytes()
    try:
        existing: bytes | None = target.read_bytes()
    except FileNotFoundError:
        existing = None
    if existing == content:
        return InstallResult.UNCHANGED
    if existing is not None and sha256(existing) not in shipped_versions:
        return InstallResult.KEPT_USER_EDIT
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write beside and rename, so a crash never leaves half a blueprint.
    temp = target.with_name(f".{target.name}.tmp")
    temp.write_bytes(content)
    temp.replace(target)
    return InstallResult.INSTALLED if existing is None else InstallResult.UPDATED


@callback
def async_setup_blueprint(hass: HomeAssistant) -> None:
    """Install the reminder blueprint once Home Assistant has started."""
    # Waiting for the start lets the automation integration first fill a new
    # blueprints/automation folder with its own examples, which it skips when
    # the folder already exists.
    async_at_started(hass, async_install_blueprint)


async def async_install_blueprint(hass: HomeAssistant) -> None:
    """Install or update the reminder blueprint and tell the log what happened."""
    target = Path(hass.config.path("blueprints", AUTOMATION_DOMAIN, BLUEPRINT_PATH))
    try:
        result = await hass.async_add_executor_job(
            install_blueprint, SHIPPED_BLUEPRINT, target, SHIPPED_VERSIONS
        )
    except OSError as err:
        _LOGGER.warning(
            "Could not install the reminder blueprint at %s: %s", target, err
        )
        return
    if result is InstallResult.INSTALLED:
        _LOGGER.info("Installed the evening dose reminder blueprint at %s", target)
    elif result is InstallResult.UPDATED:
        _LOGGER.info("Updated the evening dose reminder blueprint at %s", target)
        if automations_with_blueprint(hass, BLUEPRINT_PATH):
            # Automations hold the blueprint they were loaded with; a reload
            # makes them use the new version now rather than after a restart.
            await hass.services.async_call(
                AUTOMATION_DOMAIN, SERVICE_RELOAD, blocking=True
            )
    elif result is InstallResult.KEPT_USER_EDIT:
        _LOGGER.info(
            "Left the evening dose reminder blueprint at %s as it is, because it "
            "was changed; delete it to get the version shipped with Migraine Tracker",
            target,
        )
