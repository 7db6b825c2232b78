"""The data contract: canonical columns, their French aliases, and the value vocabularies.

Everything the readers need to know about a column lives here, declared once:

* its canonical (English, snake_case) name and its *kind* (how a cell is parsed);
* the headers accepted for it (French aliases from PRODUCT.md, Place de l'emploi public
  fields for positions). Headers are compared with :func:`header_key`: case-, accent-,
  spacing-, underscore- and punctuation-insensitive, French articles ignored
  ("Date de prise de poste" == "date_prise_poste");
* the vocabularies of enumerated values (clearance, booleans, skill levels, PEP
  experience levels), also compared with :func:`header_key`.

Decisions (documented here because advisors will ask):

* **Clearance** (``CLEARANCE_LEVELS``, ordered from lowest to highest). Since the 2021
  reform (IGI 1300) French classified levels are *Secret* and *Très Secret*; the former
  *Confidentiel Défense* is still accepted as ``confidentiel`` because older HR files
  carry it. Accepted spellings: ``none`` / aucune / aucun / non / néant / sans / 0 / "-"
  left empty; ``confidentiel`` / confidentiel défense / CD / C; ``secret`` / secret
  défense / SD / S; ``tres_secret`` / très secret / très secret défense / TSD / TS /
  top secret. A sentence naming one level ("Habilitation secret défense obtenue en 2022")
  is read by that level, with a warning; a profile's clearance "en cours" / "demandée" is
  not held yet (``none``, with a warning). Anything else leaves the default (``none``)
  and a warning: never guessed silently, never a rejected row.
* **Booleans**: oui/non, o/n, yes/no, y/n, vrai/faux, true/false, 1/0, x (= yes);
  an empty cell takes the column default.
* **Skill levels** 1–4 (1 notions, 2 pratique, 3 maîtrise, 4 expert) also written in
  words: notions/notion/bases/débutant/junior → 1; pratique/intermédiaire/opérationnel/
  moyen → 2; maîtrise/maîtrisé/avancé/confirmé/bon/senior → 3; expert/expertise → 4.
* **PEP ``niveau_experience``** → ``experience_years`` (years of experience expected):
  Débutant/Junior → 0, Intermédiaire → 2, Confirmé → 3, Senior → 5, Expert → 8;
  "tous niveaux"/"non renseigné"/"indifférent" → NaN. A plain number is taken as years.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matching.textnorm import LEVEL_WORDS as _TEXT_LEVEL_WORDS
from matching.textnorm import ARTICLES, fold, normalize

__all__ = [
    "CLEARANCE_LEVELS",
    "ColumnSpec",
    "PROFILE_COLUMNS",
    "POSITION_COLUMNS",
    "PROFILE_SPECS",
    "POSITION_SPECS",
    "PERSONAL_COLUMNS",
    "PEP_KEPT_FIELDS",
    "LEVEL_WORDS",
    "BOOL_WORDS",
    "CLEARANCE_WORDS",
    "EXPERIENCE_LEVEL_YEARS",
    "header_key",
    "specs_for",
    "parse_bool",
    "parse_clearance",
    "parse_level",
    "parse_experience_level",
    "MASK",
    "mask_value",
    "mask_header",
    "looks_personal",
]

#: Security clearance levels, ordered from lowest to highest.
CLEARANCE_LEVELS: tuple[str, ...] = ("none", "confidentiel", "secret", "tres_secret")

_STOP_WORDS = ARTICLES


def header_key(text: object) -> str:
    """A comparison key for headers and enumerated values.

    Unicode NFKD, accents removed, case-folded, every run of non-alphanumerics is a word
    break, French articles/prepositions dropped, words joined without separator:
    ``"Date de prise de poste"``, ``"date_prise_poste"`` and ``"DATE PRISE POSTE"`` all
    give ``"datepriseposte"``.
    """
    s = fold(text)
    words = [w for w in re.split(r"[^0-9a-z]+", s) if w]
    kept = [w for w in words if w not in _STOP_WORDS]
    return "".join(kept or words)


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column: how to find it in a file and how to parse its cells.

    kind: ``id`` (required unique text), ``text`` (one line), ``longtext`` (new lines
    kept), ``skills`` (list of (name, level)), ``list`` (list of text), ``float``,
    ``int``, ``date``, ``bool``, ``clearance``, ``openings`` (int >= 1),
    ``experience_level`` (PEP words or years).
    """

    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    default: object = None
    #: ``(lo, hi)`` inclusive bounds for numbers
    bounds: tuple[float | None, float | None] = (None, None)
    #: secondary sources fill this canonical column when its own cell is empty
    target: str | None = None

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(header_key(a) for a in (self.name, *self.aliases))


# --- profiles -------------------------------------------------------------------------
_PROFILE = (
    ColumnSpec("profile_id", "id", ("identifiant", "id", "id_profil", "identifiant_profil", "profil_id", "matricule"), required=True),
    ColumnSpec("full_name", "text", ("nom", "nom_complet", "nom_prenom", "prenom_nom", "name", "nom_famille", "nom_usage", "nom_d_usage", "last_name")),
    ColumnSpec("email", "text", ("courriel", "mail", "e_mail", "adresse_courriel", "adresse_mail", "adresse_electronique")),
    ColumnSpec("corps", "text", ()),
    ColumnSpec("grade", "text", ()),
    ColumnSpec("current_ministry", "text", ("ministere_actuel", "ministere_origine", "ministere_affectation")),
    ColumnSpec("current_position", "text", ("poste_actuel", "fonction_actuelle", "emploi_actuel")),
    ColumnSpec("location", "text", ("localisation", "lieu", "ville", "residence", "lieu_affectation", "lieu_travail", "residence_administrative", "site")),
    ColumnSpec("skills", "skills", ("competences", "competence", "savoir_faire")),
    ColumnSpec("summary", "longtext", ("resume", "synthese", "presentation", "parcours", "resume du parcours",
                                       "parcours professionnel", "resume de carriere", "synthese du parcours")),
    ColumnSpec("years_experience", "float", ("annees_experience", "experience", "anciennete", "nb_annees_experience"), bounds=(0, 70)),
    ColumnSpec("wished_ministries", "list", ("ministeres_souhaites", "ministere_souhaite", "souhaits_ministeres")),
    ColumnSpec("wished_locations", "list", ("localisations_souhaitees", "localisation_souhaitee", "lieux_souhaites", "souhaits_localisation")),
    ColumnSpec("wished_families", "list", ("familles_souhaitees", "famille_souhaitee", "souhaits_familles")),
    ColumnSpec("available_from", "date", ("disponibilite", "date_disponibilite", "disponible_le", "disponible_a_partir")),
    ColumnSpec("clearance", "clearance", ("habilitation", "niveau_habilitation", "habilitation_securite"), default="none"),
    ColumnSpec("open_to_mobility", "bool", ("ouvert_mobilite", "mobilite", "ouvert_a_la_mobilite"), default=True),
    ColumnSpec("consent_share_identity", "bool", ("consentement_identite", "consentement", "consentement_partage_identite"), default=False),
    ColumnSpec("gender", "text", ("genre", "sexe")),
    ColumnSpec("birth_year", "int", ("annee_naissance", "annee_de_naissance"), bounds=(1900, 2100)),
    # a separate first-name column: "Prénom" + "Nom" make full_name
    ColumnSpec("first_name", "text", ("prenom", "prenoms", "given_name"), target="full_name"),
)

# --- positions ------------------------------------------------------------------------
_POSITION = (
    ColumnSpec("position_id", "id", ("identifiant_poste", "id_poste", "identifiant", "id", "numero_poste"), required=True),
    ColumnSpec("ministry", "text", ("ministere",), required=True),
    ColumnSpec("employer", "text", ("direction", "employeur", "service", "structure")),
    ColumnSpec("title", "text", ("intitule", "intitule_poste", "titre", "titre_poste", "libelle_poste"), required=True),
    ColumnSpec("description", "longtext", ("description_poste", "descriptif", "missions", "fiche_poste")),
    ColumnSpec("profile_sought", "longtext", ("description_profil", "profil_recherche", "profil")),
    ColumnSpec("required_skills", "skills", ("competences_requises", "competences_attendues", "competences_obligatoires")),
    ColumnSpec("desired_skills", "skills", ("competences_souhaitees", "competences_appreciees", "competences_souhaitables")),
    ColumnSpec("job_family", "text", ("famille", "famille_metier", "famille_emploi")),
    ColumnSpec("location", "text", ("localisation", "lieu", "lieu_affectation", "ville")),
    ColumnSpec("remote_days", "float", ("teletravail", "jours_teletravail", "nb_jours_teletravail"), bounds=(0, 7)),
    ColumnSpec("eligible_corps", "list", ("corps_eligibles", "corps_eligible", "corps")),
    ColumnSpec("grade_min", "text", ("grade_minimum", "grade_minimal")),
    ColumnSpec("start_date", "date", ("date_prise_poste", "date_debut", "prise_poste", "date_prise_fonction")),
    ColumnSpec("clearance_required", "clearance", ("habilitation_requise", "habilitation", "niveau_habilitation_requis"), default="none"),
    ColumnSpec("openings", "openings", ("nombre_postes", "nb_postes", "postes_ouverts", "nombre_de_postes"), default=1, bounds=(1, 10000)),
    ColumnSpec("rmfp_reference", "text", ("emploi_reference_rmfp", "emploi_reference", "rmfp")),
    ColumnSpec("category", "text", ("categorie",)),
    ColumnSpec("experience_years", "float", ("annees_experience", "experience_requise", "annees_experience_requises"), bounds=(0, 70)),
    # secondary sources (Place de l'emploi public): used when the canonical cell is empty
    ColumnSpec("reference", "text", (), target="position_id"),
    ColumnSpec("offer_id", "text", (), target="position_id"),
    ColumnSpec("organisme", "text", (), target="employer"),
    ColumnSpec("departement", "text", ("department",), target="location"),
    ColumnSpec("region", "text", (), target="location"),
    ColumnSpec("niveau_experience", "experience_level", ("experience_level",), target="experience_years"),
)

PROFILE_SPECS: dict[str, ColumnSpec] = {s.name: s for s in _PROFILE}
POSITION_SPECS: dict[str, ColumnSpec] = {s.name: s for s in _POSITION}

#: Columns of the canonical frames, in order (ARCHITECTURE.md).
PROFILE_COLUMNS: tuple[str, ...] = tuple(s.name for s in _PROFILE if s.target is None) + ("source_row", "extra")
POSITION_COLUMNS: tuple[str, ...] = tuple(s.name for s in _POSITION if s.target is None) + ("source_row", "extra")

#: Columns whose values are never echoed in a message or a reject line.
PERSONAL_COLUMNS: frozenset[str] = frozenset({"full_name", "first_name", "email", "gender", "birth_year"})

#: What a personal value is replaced with in messages, rejects and warnings.
MASK = "(masqué)"
#: Longest value echoed in a message; longer ones are cut (with their length).
VALUE_CHARS = 60
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
#: a French or international phone number: 10 digits in groups (06 12 34 56 78, +33 6 12...)
_PHONE = re.compile(r"(?<![\w])(?:\+\d{2,3}[\s.-]?\(?0?\)?|0)\d(?:[\s.-]?\d{2}){4}(?!\w)")


def looks_personal(text: str) -> bool:
    """An e-mail address or a phone number inside ``text``."""
    return bool(_EMAIL.search(text) or _PHONE.search(text))


def mask_value(value: object, column: str | None = None) -> str:
    """The one way a cell value is shown in a message, a reject line or a warning.

    The values of :data:`PERSONAL_COLUMNS` (``column`` is the canonical name) are replaced
    by :data:`MASK`; in any other cell, e-mail addresses and phone numbers are replaced by
    :data:`MASK`; new lines become spaces and long values are cut to 60 characters.
    """
    text = "" if value is None else str(value)
    if not text:
        return ""
    if column in PERSONAL_COLUMNS:
        return MASK
    text = _PHONE.sub(MASK, _EMAIL.sub(MASK, text)).replace("\r", " ").replace("\n", " ")
    if len(text) > VALUE_CHARS:
        return text[: VALUE_CHARS - 1] + f"… ({len(text)} caractères)"
    return text


def mask_header(header: str, position: str) -> str:
    """A header as messages name it: as written, unless it looks like personal data (an
    e-mail, a phone number, or free text longer than a header: over 60 characters), then
    by its position (``position``, e.g. "colonne C")."""
    if looks_personal(header) or len(header) > VALUE_CHARS:
        return position
    return header


#: Place de l'emploi public fields we know and do not use: kept in ``extra`` silently
#: (no "unknown column" warning for a plain PEP export).
PEP_KEPT_FIELDS: frozenset[str] = frozenset(
    header_key(f)
    for f in (
        "nature_contrat", "versant_libelle", "versant", "sous_direction", "niveau_etudes",
        "date_premiere_publication", "date_limite",
    )
)


def specs_for(kind: str) -> dict[str, ColumnSpec]:
    """``"profiles"`` or ``"positions"`` → their column specs."""
    if kind == "profiles":
        return PROFILE_SPECS
    if kind == "positions":
        return POSITION_SPECS
    raise ValueError(f"kind must be 'profiles' or 'positions', got {kind!r}")


# --- vocabularies ---------------------------------------------------------------------
def _vocab(table: dict[object, tuple[str, ...]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for value, words in table.items():
        for w in words:
            out[header_key(w)] = value
    return out


CLEARANCE_WORDS: dict[str, object] = _vocab(
    {
        "none": ("none", "aucune", "aucun", "non", "neant", "sans", "0", "no", "nr", "non habilite"),
        "confidentiel": ("confidentiel", "confidentiel defense", "cd", "c", "confidential"),
        "secret": ("secret", "secret defense", "sd", "s"),
        "tres_secret": (
            "tres_secret", "tres secret", "tres secret defense", "tsd", "ts", "top secret",
        ),
    }
)

BOOL_WORDS: dict[str, object] = _vocab(
    {
        True: ("oui", "o", "yes", "y", "vrai", "true", "1", "x", "ok"),
        False: ("non", "n", "no", "faux", "false", "0"),
    }
)

#: Skill level words: the one vocabulary of :mod:`matching.textnorm` (and the digits 1-4).
LEVEL_WORDS: dict[str, int] = {**{str(i): i for i in range(1, 5)}, **_TEXT_LEVEL_WORDS}

_NAN = float("nan")
EXPERIENCE_LEVEL_YEARS: dict[str, object] = _vocab(
    {
        0.0: ("debutant", "debutante", "junior", "debutant accepte", "jeune diplome"),
        2.0: ("intermediaire",),
        3.0: ("confirme", "confirmee", "experimente", "experimentee"),
        5.0: ("senior",),
        8.0: ("expert", "experte"),
        _NAN: ("tous niveaux", "non renseigne", "indifferent", "sans objet"),
    }
)


def parse_bool(text: str) -> bool | None:
    """``True``/``False`` for a recognised word, ``None`` otherwise."""
    v = BOOL_WORDS.get(header_key(text))
    return v if isinstance(v, bool) else None


def parse_clearance(text: str) -> str | None:
    """Canonical clearance for a recognised spelling (empty → ``"none"``), else ``None``."""
    if not text.strip():
        return "none"
    v = CLEARANCE_WORDS.get(header_key(text))
    return v if isinstance(v, str) else None


def parse_level(text: str) -> int | None:
    """Skill level 1–4 from a digit or a French/English word, else ``None``."""
    return LEVEL_WORDS.get(normalize(str(text)))


def parse_experience_level(text: str) -> float | None:
    """Years for a PEP experience level word (NaN = unspecified), else ``None``."""
    key = header_key(text)
    if key in EXPERIENCE_LEVEL_YEARS:
        return float(EXPERIENCE_LEVEL_YEARS[key])  # type: ignore[arg-type]
    return None


_PENDING = re.compile(r"\b(en cours|demandee?s?|a obtenir|en attente|sollicitee?s?|a demander|en instruction|a renouveler|expiree?s?|a venir)\b")
_CLEARANCE_IN_TEXT = (
    ("tres_secret", re.compile(r"\b(tres secret|top secret|tsd)\b")),
    ("secret", re.compile(r"\b(secret|sd)\b")),
    ("confidentiel", re.compile(r"\b(confidentiel|cd)\b")),
    ("none", re.compile(r"\b(aucune?|non habilitee?|pas d habilitation|sans habilitation|neant)\b")),
)


def read_clearance_sentence(text: str, *, held: bool = True) -> tuple[str, str] | None:
    """A clearance written as a sentence: ``(level, what was understood)`` or ``None``.

    The highest level named is taken; with ``held=True`` (a profile), a clearance "en
    cours", "demandée", "à obtenir"... is not held yet, so ``none``.
    """
    s = " ".join(re.split(r"[^0-9a-z]+", fold(text))).strip()
    for level, pattern in _CLEARANCE_IN_TEXT:
        if pattern.search(s):
            if held and level != "none" and _PENDING.search(s):
                return "none", f"habilitation {level} non encore obtenue (en cours ou demandée) : lue comme aucune"
            return level, f"lue comme « {level} »"
    return None
