"""Each score component and each hard rule, declared once.

Everything that names a component or a rule derives from these two tables: the order of
the columns in every output (``COMPONENTS``), the configuration's weights and rule switches
(:mod:`matching.config` checks that its sections match), the scoring kernel's rule bits
(:mod:`matching.score`), the French labels of explanations, employer files and the report,
and ``config show --describe``.

To add a score component: declare it here, give it a default weight in
``matching.config.WeightsConfig``, compute it in ``ScoringKernel.finish`` (and its
applicability in ``ScoringKernel.applied_weights``); every output gets its column, label and
histogram from this declaration. To add a rule: declare it here with the next free bit, add
its switch to ``matching.config.RulesConfig`` and its evaluator in
``ScoringKernel._rule_tables``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["UNKNOWN_INT", "Component", "Rule", "COMPONENT_SPECS", "COMPONENTS", "RULE_SPECS", "RULES", "component", "rule"]


@dataclass(frozen=True)
class Component:
    """One score component: a value in [0, 1] per pair (or not applicable), weighted."""

    name: str  #: identifier: column of shortlists.csv, key of [weights]
    label: str  #: French label of the full account (explain, method notice)
    short_label: str  #: French label of tables, employer files and charts
    description: str  #: one French sentence: what is compared


@dataclass(frozen=True)
class Rule:
    """One hard rule: a pair it excludes is never on a shortlist."""

    name: str  #: identifier: key of [rules], manifest counts
    bit: int  #: bit in the exclusion mask
    label: str  #: short French label (report, tables)
    sentence: str  #: French sentence of the full account


COMPONENT_SPECS: tuple[Component, ...] = (
    Component(
        "semantic",
        "proximité des textes (similarité sémantique)",
        "proximité des textes",
        "similarité du modèle d'embedding entre le texte du profil et celui du poste",
    ),
    Component(
        "required_skills",
        "couverture des compétences requises",
        "compétences requises",
        "part des compétences requises détenues, au niveau demandé (une compétence proche compte en partie)",
    ),
    Component(
        "desired_skills",
        "couverture des compétences souhaitées",
        "compétences souhaitées",
        "part des compétences souhaitées détenues",
    ),
    Component(
        "job_fit",
        "adéquation métier (même métier, métier proche, même famille)",
        "adéquation métier",
        "métiers déduits des intitulés et des compétences (ROME et ESCO) : même métier, métier proche, même famille",
    ),
    Component(
        "wishes",
        "souhaits de l'ingénieur (ministères, lieux, familles)",
        "souhaits",
        "ministères, lieux et familles de métiers souhaités par l'ingénieur",
    ),
    Component(
        "experience",
        "expérience",
        "expérience",
        "années d'expérience au regard de celles demandées",
    ),
)

RULE_SPECS: tuple[Rule, ...] = (
    Rule("not_open_to_mobility", 1, "ingénieur non ouvert à la mobilité",
         "l'ingénieur n'est pas ouvert à la mobilité"),
    Rule("corps_eligibility", 2, "corps non éligible",
         "le corps de l'ingénieur ne figure pas parmi les corps éligibles au poste"),
    Rule("grade_min", 4, "grade inférieur au grade minimal",
         "le grade de l'ingénieur est inférieur au grade minimal du poste"),
    Rule("availability", 8, "disponibilité trop tardive",
         "l'ingénieur est disponible trop tard pour la date de prise de poste"),
    Rule("clearance", 16, "habilitation insuffisante",
         "l'habilitation de l'ingénieur est inférieure à celle requise"),
    Rule("same_position", 32, "poste déjà occupé par l'ingénieur",
         "l'ingénieur occupe déjà ce poste"),
)

#: Marker of an unknown date or grade in the integer arrays the rules read (features
#: write it, the rules treat it as "not stated").
UNKNOWN_INT = -(2**31)

#: Score components, in the order they appear in every output.
COMPONENTS: tuple[str, ...] = tuple(c.name for c in COMPONENT_SPECS)
#: Hard rules: name -> (bit in the exclusion mask, French sentence).
RULES: dict[str, tuple[int, str]] = {r.name: (r.bit, r.sentence) for r in RULE_SPECS}

_BY_NAME = {c.name: c for c in COMPONENT_SPECS}
_RULE_BY_NAME = {r.name: r for r in RULE_SPECS}


def component(name: str) -> Component:
    return _BY_NAME[name]


def rule(name: str) -> Rule:
    return _RULE_BY_NAME[name]
