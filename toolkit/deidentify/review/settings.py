"""The de-identification settings a review re-uses: those of the run that wrote the folder, plus the review's
own allow- and deny-lists.

Applying a review re-runs :func:`~toolkit.deidentify.deidentify_folder` with the same mode, seed, engine,
model and recognisers as the recorded run, and with the review's lists added to the registry: rejected strings
on the allow-list (they come back everywhere), added strings on a deny-list (replaced everywhere). A protocol's
``deidentify:`` lists that are the review's own files are not read twice; other lists of the protocol stay.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.deidentify.registry import RecognizerRegistry, RegistryConfig, deny_list_recognizer
from toolkit.deidentify.review.locate import ReviewPaths
from toolkit.deidentify.review.state import ALLOW_FILE, DENY_FILE

REVIEW_DENY_RECOGNIZER = "ReviewDenyListRecognizer"


@dataclass
class RunSettings:
    """How a folder was de-identified: the ``Deidentifier`` parameters and the registry's configuration."""

    mode: str = "tags"
    seed: int = 0
    engine: str = "presidio"
    ner_model: str | None = "auto"
    config: RegistryConfig = field(default_factory=RegistryConfig)
    recorded: bool = False  # False: the run left no record and these are the defaults of 'pdtk deidentify'


def run_settings(paths: ReviewPaths) -> RunSettings:
    """The recorded run's settings, with the study protocol's ``deidentify:`` lists (not the review's own)."""
    run: dict[str, Any] = paths.run
    settings = RunSettings(
        mode=run.get("mode", "tags"),
        seed=int(run.get("seed", 0)),
        engine=run.get("engine", "presidio"),
        ner_model=run.get("spacy_model", "auto"),
        recorded=bool(run),
    )
    section = paths.protocol.deidentify if paths.protocol is not None else None
    own = {(paths.restricted_dir / ALLOW_FILE).resolve(), (paths.restricted_dir / DENY_FILE).resolve()}

    def other_list(path: Path | None) -> Path | None:
        return path if path is not None and path.resolve() not in own and path.is_file() else None

    settings.config = RegistryConfig(
        disable=list(section.disable) if section is not None else [],
        deny_list=other_list(section.deny_list) if section is not None else None,
        allow_list=other_list(section.allow_list) if section is not None else None,
        ner_model=settings.ner_model,
    )
    if section is None and run.get("recognizers"):
        settings.config.disable = _switched_off(run["recognizers"], settings.ner_model)
    return settings


def _switched_off(recorded: list[str], ner_model: str | None) -> list[str]:
    """Default recognisers the recorded run did not have (it was configured to switch them off)."""
    default = RecognizerRegistry.default(RegistryConfig(ner_model=ner_model)).names
    return [name for name in default if name not in recorded]


def review_registry(
    config: RegistryConfig, allow: list[str], deny: list[tuple[str, str]]
) -> RecognizerRegistry:
    """The run's registry plus the review: a deny-list recogniser for added strings, rejected ones allowed."""
    registry = RecognizerRegistry.default(config)
    if deny:
        registry.add(deny_list_recognizer(deny, name=REVIEW_DENY_RECOGNIZER))
    if allow:
        registry.allow = registry.allow | frozenset(a.casefold() for a in allow)
    return registry
