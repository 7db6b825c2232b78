"""Command line of the matching engine: a thin typer shell over the ``matching`` package.

Installed as the ``mobilite`` command; ``python cli.py ...`` runs the same application.

Exit codes (also in the README):
  0  success
  1  unexpected internal error (message without traceback; ``--debug`` shows it)
  2  wrong usage (unknown option, missing argument)
  3  invalid configuration
  4  unusable input file (missing, unreadable, missing required column, nothing to match)
  5  rejected rows: ``validate`` found some, or ``run --strict``
  6  embedding model unavailable
  7  ``replay``: outputs differ from the original batch
"""

from __future__ import annotations

import functools
import json
import os
import sys
import warnings
from pathlib import Path
from typing import Optional

import typer
import typer.rich_utils
from rich.console import Console
from rich.table import Table
from rich.text import Text

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_CONFIG, EXIT_INPUT, EXIT_REJECTS, EXIT_MODEL, EXIT_REPLAY = range(8)

# typer's help screens, in French
for _name, _text in {
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commandes",
    "ERRORS_PANEL_TITLE": "Erreur",
    "REQUIRED_LONG_STRING": "[obligatoire]",
    "DEFAULT_STRING": "[défaut : {}]",
    "ENVVAR_STRING": "[variable d'environnement : {}]",
    "DEPRECATED_STRING": "(obsolète) ",
}.items():
    setattr(typer.rich_utils, _name, _text)

app = typer.Typer(
    name="mobilite",
    help="Moteur d'appariement compétences / postes pour la mobilité des ingénieurs de l'État.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
config_app = typer.Typer(help="Configuration du moteur.", no_args_is_help=True)
skills_app = typer.Typer(help="Normalisation des compétences.", no_args_is_help=True)
titles_app = typer.Typer(help="Normalisation des intitulés de poste.", no_args_is_help=True)
evaluate_app = typer.Typer(help="Évaluations (MELO, classement, résultats réels).", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(skills_app, name="skills")
app.add_typer(titles_app, name="titles")
app.add_typer(evaluate_app, name="evaluate")

out = Console()
err = Console(stderr=True)
_DEBUG = {"on": bool(os.environ.get("MATCHING_DEBUG"))}


def _text(value) -> Text:
    """A value as Rich text that is never read as markup (``[/b]`` in an id stays ``[/b]``),
    without the control characters that would change the terminal (escape sequences,
    a U+202E reversing the rest of the line)."""
    from matching.io.writers import visible_text

    return value if isinstance(value, Text) else Text(visible_text(value))


def _show(*parts, stream: Console | None = None) -> None:
    """Print one line (or one Rich table) on the console: the one way the CLI writes to the
    terminal. Nothing is read as markup or emoji codes: a ``(text, style)`` part is styled,
    a string is printed as it is (identifiers, headers, ministry names and paths with
    ``[brouillon]`` or ``[/b]`` included); lines are not cut at the terminal width."""
    console = stream or out
    if len(parts) == 1 and not isinstance(parts[0], (str, tuple, Text)):
        console.print(parts[0])  # a Table, whose cells went through _text
        return
    line = Text.assemble(*[(_text(p[0]).plain, p[1]) if isinstance(p, tuple) else _text(p) for p in parts])
    console.print(line, highlight=False, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        from importlib import metadata

        try:
            version = metadata.version("mobilite-etat-matching")
        except metadata.PackageNotFoundError:  # run from a checkout that is not installed
            from matching import __version__ as version
        _show(f"mobilite {version}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: bool = typer.Option(False, "--debug", help="Afficher la trace complète d'une erreur interne."),
    verbose: bool = typer.Option(False, "--verbose", help="Montrer aussi les messages des bibliothèques (chargement du modèle…)."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Afficher la version et quitter."
    ),
):
    _DEBUG["on"] = _DEBUG["on"] or debug
    if verbose:
        os.environ["MATCHING_VERBOSE"] = "1"


def _fail(code: int, message: str) -> None:
    _show(("Erreur", "bold red"), f" : {message}", stream=err)
    raise typer.Exit(code)


def _load_config(path: Optional[Path], **overrides):
    from matching.config import Config
    from matching.errors import ConfigError

    try:
        cfg = Config.from_toml(path) if path else Config()
        changes = {}
        for dotted, value in overrides.items():
            if value is None:
                continue
            section, key = dotted.split("__")
            changes.setdefault(section, {})[key] = value
        cfg = cfg.replace(**changes) if changes else cfg
        if cfg.compute.backend == "dask":
            from matching.compute import require_dask

            require_dask()  # exit 3 with what to install, before reading anything
        return cfg
    except ConfigError as exc:
        _fail(exc.exit_code, str(exc))


def _library_error(exc: BaseException) -> tuple[int, str] | None:
    """The exit code and French message of an error a library raised on a file or a resource
    (never the library's own text, which may quote the file's content), or ``None``."""
    import csv
    import json as _json
    import tomllib
    import zipfile

    from matching.errors import os_error_message

    if isinstance(exc, OSError):
        return EXIT_INPUT, os_error_message(exc)
    if isinstance(exc, MemoryError):
        return EXIT_INPUT, "mémoire insuffisante pour traiter ces fichiers (fichier trop volumineux ?)"
    if isinstance(exc, tomllib.TOMLDecodeError):
        return EXIT_CONFIG, "fichier de configuration TOML illisible (syntaxe invalide)"
    if isinstance(exc, UnicodeError):
        return EXIT_INPUT, "texte illisible : encodage inattendu (enregistrez le fichier en UTF-8)"
    if isinstance(exc, _json.JSONDecodeError):
        return EXIT_INPUT, f"JSON illisible (ligne {exc.lineno}, colonne {exc.colno})"
    if isinstance(exc, zipfile.BadZipFile):
        return EXIT_INPUT, "classeur ou archive illisible (fichier .xlsx / .zip abîmé ?)"
    module = type(exc).__module__.split(".")[0]
    if module == "openpyxl":
        return EXIT_INPUT, "classeur Excel illisible (fichier abîmé ou d'un autre format ?)"
    if module == "pandas" and type(exc).__name__ in ("ParserError", "EmptyDataError"):
        return EXIT_INPUT, "fichier CSV illisible (guillemets ou nombre de colonnes incohérents ?)"
    if isinstance(exc, csv.Error):
        return EXIT_INPUT, "fichier CSV illisible"
    return None


def _guard(fn):
    """Run a command body: the engine's errors (:class:`matching.errors.MatchingError`) become
    their French message and exit code, never tracebacks (they could show personal data from
    the files); so do the file-system errors (by errno: permission, read-only, no space, not
    a folder...) and the errors of the libraries reading files (:func:`_library_error`)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from matching.errors import MatchingError

        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except MatchingError as exc:
            _fail(exc.exit_code, str(exc))
        except Exception as exc:  # noqa: BLE001 - the user gets a message, not a traceback
            mapped = _library_error(exc)
            if mapped is not None:  # a file-system or file-format condition, not a bug
                _fail(*mapped)
            if _DEBUG["on"]:
                raise
            _fail(
                EXIT_INTERNAL,
                f"erreur interne ({type(exc).__name__}). Relancez avec --debug pour la trace complète "
                "(elle peut contenir des données des fichiers).",
            )

    return wrapper


class _Progress:
    """Rich progress bars for the long stages of a batch (stderr, so stdout stays clean)."""


    def __init__(self, enabled: bool):
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("{task.description:<32}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(), console=err, disable=not enabled, transient=False,
        )
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            from matching.engine import STAGE_LABELS

            self.tasks[stage] = self.progress.add_task(STAGE_LABELS.get(stage, stage), total=max(total, 1))
        self.progress.update(self.tasks[stage], completed=done, total=max(total, 1))


# --- run --------------------------------------------------------------------------------
@app.command()
@_guard
def run(
    profiles: Path = typer.Option(..., "--profiles", help="Fichier des profils (CSV, xlsx, JSON, JSONL)."),
    positions: Path = typer.Option(..., "--positions", help="Fichier des postes (ou export Place de l'emploi public)."),
    out_dir: Path = typer.Option(..., "--out", help="Dossier de sortie du lot."),
    config: Optional[Path] = typer.Option(None, "--config", help="Fichier de configuration TOML."),
    top_k: Optional[int] = typer.Option(None, "--top-k", help="Candidats par poste (remplace ranking.top_k)."),
    model: Optional[str] = typer.Option(None, "--model", help="Modèle d'embedding (remplace model.name)."),
    strict: bool = typer.Option(False, "--strict", help="Échouer si une ligne est rejetée."),
    quiet: bool = typer.Option(False, "--quiet", help="Sans barre de progression."),
    replace: bool = typer.Option(False, "--replace", help="Remplacer le lot que contient déjà le dossier de sortie."),
    backend: Optional[str] = typer.Option(None, "--backend", help="Où calculer : local ou dask (remplace compute.backend ; mêmes résultats)."),
):
    """Lancer un lot : listes restreintes par ministère, opportunités par ingénieur, rapport."""
    from matching.engine import Matcher

    cfg = _load_config(config, ranking__top_k=top_k, model__name=model, input__strict=True if strict else None,
                       compute__backend=backend)
    with _Progress(enabled=not quiet) as prog:
        result = Matcher(cfg).run(profiles, positions, out=out_dir, progress=prog, replace=replace)
    _print_summary(result)


@app.command()
@_guard
def demo(
    out_dir: Path = typer.Option(..., "--out", help="Dossier de sortie du lot de démonstration."),
    quiet: bool = typer.Option(False, "--quiet", help="Sans barre de progression."),
):
    """Lancer un lot sur l'échantillon de démonstration livré avec le paquet (depuis n'importe quel dossier ;
    un lot de démonstration déjà présent dans le dossier est remplacé)."""
    from matching.engine import Matcher
    from matching.resources import sample_path

    cfg = _load_config(None)
    with _Progress(enabled=not quiet) as prog:
        result = Matcher(cfg).run(sample_path("profiles.csv"), sample_path("positions.csv"), out=out_dir,
                                  progress=prog, replace=True)
    _print_summary(result)


def _print_reading(result) -> None:
    """How the files were read (list separators, unknown headers) and the data-quality
    warnings, summarised (the detail is in warnings.csv)."""
    inputs = result.manifest.get("inputs", {})
    for key in ("profiles", "positions"):
        entry = inputs.get(key) or {}
        seps = entry.get("list_separators") or {}
        if seps:
            shown = " ; ".join(f"« {c} » {s}" for c, s in seps.items())
            _show(f"{entry.get('name')} : séparateurs de listes : {shown}")
        for head, guess in (entry.get("header_suggestions") or {}).items():
            hint = f" (vouliez-vous dire « {guess} » ?)" if guess else ""
            _show(f"{entry.get('name')} : colonne inconnue « {head} », ignorée{hint}")
    warnings = getattr(result, "warnings", None)
    if warnings is not None and len(warnings):
        _show(f"{len(warnings)} avertissement(s) sur les données, lignes gardées (détail dans warnings.csv) :")
        groups = warnings.groupby(["file", "column", "message"], sort=False).size().sort_values(ascending=False, kind="stable")
        for (f, c, msg), n in list(groups.items())[:8]:
            _show(f"  - {f}, colonne « {c} » : {msg} ({n} ligne(s))")
        if len(groups) > 8:
            _show(f"  … et {len(groups) - 8} autre(s) type(s) d'avertissement")


def _print_summary(result) -> None:
    c = result.manifest["counts"]
    m = result.manifest["model"]
    table = Table(title=_text(f"Lot {result.batch_id}"), show_header=True)
    table.add_column(_text("Fichier"))
    table.add_column(_text("Lus"), justify="right")
    table.add_column(_text("Acceptés"), justify="right")
    table.add_column(_text("Rejetés"), justify="right")
    for name in ("profiles", "positions"):
        e = c[name]
        table.add_row(*map(_text, (e["name"], e["read"], e["accepted"], e["rejected"])))
    _show(table)
    _print_reading(result)
    if m.get("fallback_reason"):
        _show(("Modèle de repli", "yellow"), f" : {m['name']} ({m['fallback_reason']})")
    else:
        _show(f"Modèle : {m['name']}")
    _show(f"{m.get('texts_encoded', 0)} textes encodés, {m.get('texts_from_cache', 0)} lus dans le cache")
    _show(
        f"{c['shortlist_lines']} lignes de listes restreintes pour {c['ministries']} ministères ; "
        f"{c['positions_without_candidate']} poste(s) sans candidat au-dessus du seuil ; "
        f"{c['profiles_on_no_shortlist']} ingénieur(s) sur aucune liste."
    )
    if result.outdir is not None:
        _show("Livrables dans ", (str(result.outdir), "bold"), " :")
        for key, path in sorted(result.files.items()):
            if Path(path).parent == Path(result.outdir):
                _show(f"  {path}")
        employer = sorted(p for k, p in result.files.items() if k.startswith("employer"))
        if employer:
            _show(f"  {len(employer)} fichiers employeurs dans {employer[0].parent}")
        envois = Path(result.outdir) / "envois"
        if envois.is_dir():
            _show(f"  envois par ministère (dossier et .zip) dans {envois}")
    _show(("Le moteur propose ; les conseillers décident.", "italic"))


# --- validate ---------------------------------------------------------------------------
@app.command()
@_guard
def validate(
    profiles: Path = typer.Option(..., "--profiles", help="Fichier des profils."),
    positions: Path = typer.Option(..., "--positions", help="Fichier des postes."),
    config: Optional[Path] = typer.Option(None, "--config", help="Fichier de configuration TOML."),
    rejects_out: Optional[Path] = typer.Option(None, "--rejects", help="Écrire les rejets dans ce CSV."),
):
    """Vérifier les deux fichiers sans lancer de lot (code 5 si des lignes sont rejetées)."""
    from matching.io.validate import validate_files

    cfg = _load_config(config, input__strict=False)
    report = validate_files(profiles, positions, config=cfg)
    table = Table(title=_text("Validation des fichiers"))
    rows = report.summary_rows()
    for col in rows[0].keys():
        table.add_column(_text(col))
    for r in rows:
        table.add_row(*map(_text, r.values()))
    _show(table)
    problems = report.problems()
    for p in problems[:200]:
        _show(f"  - {p}")
    if len(problems) > 200:
        _show(f"  … et {len(problems) - 200} autre(s) problème(s)")
    for line in report.reading_lines():
        _show(f"  (lecture) {line}")
    for w in report.warnings():
        _show(f"  (avertissement) {w}")
    if rejects_out is not None:
        from matching.io.writers import write_csv

        write_csv(report.rejects(), rejects_out)
    if report.file_problems:
        raise typer.Exit(EXIT_INPUT)
    if not report.ok:
        raise typer.Exit(EXIT_REJECTS)


# --- config -----------------------------------------------------------------------------
@config_app.command("show")
@_guard
def config_show(
    config: Optional[Path] = typer.Option(None, "--config", help="Fichier de configuration TOML."),
    describe: bool = typer.Option(False, "--describe", help="Afficher aussi la description de chaque clé."),
):
    """Afficher la configuration effective (TOML)."""
    from matching.config import Config

    cfg = _load_config(config)
    if describe:
        values = {f"{s}.{k}": v for s, d in cfg.to_dict().items() for k, v in d.items()}
        for key, _default, doc in Config.documentation():
            _show(f"# {doc}")
            _show(f"{key} = {values[key]!r}")
    else:
        sys.stdout.write(cfg.to_toml())


# --- explain ----------------------------------------------------------------------------
@app.command()
@_guard
def explain(
    profile: str = typer.Option(..., "--profile", help="Identifiant de l'ingénieur."),
    position: str = typer.Option(..., "--position", help="Identifiant du poste."),
    batch: Optional[Path] = typer.Option(None, "--batch", help="Dossier d'un lot (lit son manifeste)."),
    profiles: Optional[Path] = typer.Option(None, "--profiles", help="Fichier des profils (sans --batch)."),
    positions: Optional[Path] = typer.Option(None, "--positions", help="Fichier des postes (sans --batch)."),
    config: Optional[Path] = typer.Option(None, "--config", help="Configuration TOML (sans --batch)."),
    as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
):
    """Expliquer le score d'un couple ingénieur / poste, retenu ou non."""
    from matching.explain import render_account
    from matching.session import explain_from

    acc, cfg = explain_from(profile, position, batch=batch, profiles=profiles, positions=positions, config_path=config)
    if as_json:
        sys.stdout.write(json.dumps(acc.to_dict(), ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        sys.stdout.write(render_account(acc, cfg) + "\n")


# --- normalisation ----------------------------------------------------------------------
@skills_app.command("normalize")
@_guard
def skills_normalize(
    file: Path = typer.Argument(..., help="Une compétence par ligne, ou un fichier de profils / postes."),
    out_path: Path = typer.Option(..., "--out", help="Table de sortie CSV."),
    config: Optional[Path] = typer.Option(None, "--config"),
    semantic: bool = typer.Option(True, "--semantic/--no-semantic", help="Étape sémantique (modèle d'embedding)."),
):
    """Normaliser des compétences : input, label, source_id, method, confidence."""
    from matching.session import normalize_skills_file

    cfg = _load_config(config)
    table = normalize_skills_file(file, cfg, semantic=semantic)
    from matching.io.writers import write_csv

    write_csv(table, out_path)
    counts = table["method"].value_counts().to_dict()
    _show(f"{len(table)} compétences → {out_path} ({', '.join(f'{k}: {v}' for k, v in sorted(counts.items()))})")


@skills_app.command("gap")
@_guard
def skills_gap(
    batch: Path = typer.Option(..., "--batch", help="Dossier d'un lot terminé."),
    scope: Optional[str] = typer.Option(None, "--scope", help="Un ministère du lot (défaut : ensemble de la communauté)."),
    top: int = typer.Option(20, "--top", help="Compétences affichées (0 : toutes)."),
):
    """Compétences en tension : les compétences requises que trop peu d'ingénieurs détiennent."""
    from matching.batch import Batch
    from matching.gap import ENSEMBLE, GAP_COLUMNS, GAP_SHORT_HEADERS
    from matching.textnorm import fold

    if top < 0:
        _fail(EXIT_USAGE, f"--top doit être un entier positif ou nul, reçu {top}")
    table = Batch.open(batch).skills_gap()
    scopes = list(dict.fromkeys(table["scope"].tolist()))
    wanted = ENSEMBLE if scope is None else next((s for s in scopes if fold(s) == fold(scope)), None)
    if wanted is None:
        _fail(EXIT_USAGE, f"--scope : « {scope} » n'est pas un ministère du lot ; périmètres possibles : {', '.join(scopes)}")
    part = table[table["scope"] == wanted]
    shown = part if top == 0 else part.head(top)
    view = Table(title=_text(f"Compétences en tension — {wanted} ({len(shown)} sur {len(part)})"))
    for col in GAP_COLUMNS[1:]:
        text = col in ("skill_label", "source_id")
        view.add_column(GAP_SHORT_HEADERS[col], justify="left" if text else "right", overflow="fold",
                        ratio=3 if col == "skill_label" else None, min_width=None if text else 6)
    for row in shown.itertuples(index=False):
        d = row._asdict()
        view.add_row(*[_text(f"{d[c]:.2f}".replace(".", ",") if c == "shortage" else str(d[c])) for c in GAP_COLUMNS[1:]])
    _show(view)


@titles_app.command("normalize")
@_guard
def titles_normalize(
    file: Path = typer.Argument(..., help="Un intitulé par ligne, ou un fichier de profils / postes."),
    out_path: Path = typer.Option(..., "--out", help="Table de sortie CSV."),
    top: int = typer.Option(3, "--top", help="Métiers proposés par intitulé."),
    config: Optional[Path] = typer.Option(None, "--config"),
    semantic: bool = typer.Option(True, "--semantic/--no-semantic"),
):
    """Rapprocher des intitulés de poste des métiers du ROME (et de la famille numérique)."""
    from matching.io.writers import write_csv
    from matching.session import normalize_titles_file

    cfg = _load_config(config)
    table = normalize_titles_file(file, cfg, top=top, semantic=semantic)
    write_csv(table, out_path)
    _show(f"{table['input'].nunique()} intitulés → {out_path}")


# --- evaluate ---------------------------------------------------------------------------
@evaluate_app.command("melo")
@_guard
def evaluate_melo(
    path: Path = typer.Argument(..., help="Dossier du banc MELO français (queries.tsv, corpus_elements.tsv, annotations.tsv)."),
    as_json: bool = typer.Option(False, "--json", help="N'afficher que le JSON des mesures."),
    config: Optional[Path] = typer.Option(None, "--config"),
):
    """Banc MELO (intitulés ROME vers ESCO) : moteur contre TF-IDF caractères, même exécution."""
    from matching.embed import load_encoder
    from matching.evaluation.melo import evaluate_melo as run_melo

    cfg = _load_config(config)
    res = run_melo(path, encoder=load_encoder(cfg.model), use_crosswalk=False)
    if as_json:
        sys.stdout.write(json.dumps({k: res[k] for k in ("engine", "tfidf", "ceiling")}) + "\n")
        return
    table = Table(title=_text("MELO (français) — table de correspondance ROME↔ESCO désactivée"))
    for col in ("système", "MRR", "Acc@1", "Acc@10"):
        table.add_column(_text(col))
    for name in ("engine", "tfidf"):
        r = res[name]
        table.add_row(*map(_text, (name, f"{r['mrr']:.3f}", f"{r['acc@1']:.3f}", f"{r['acc@10']:.3f}")))
    c = res["ceiling"]
    table.add_row(*map(_text, ("plafond (ex aequo)", f"{c['mrr']:.3f}", f"{c['acc@1']:.3f}", "")))
    _show(table)
    _show(
        "Plafond : le meilleur MRR possible quand des intitulés identiques (après normalisation) "
        "de concepts différents reçoivent forcément le même score, dans un ordre aléatoire "
        "(espérance du rang réciproque du premier pertinent dans le meilleur groupe d'ex aequo)."
    )


# --- replay / package -------------------------------------------------------------------
@app.command()
@_guard
def replay(
    manifest: Path = typer.Argument(..., help="manifest.json d'un lot (ou son dossier)."),
    out_dir: Path = typer.Option(..., "--out", help="Dossier où rejouer le lot."),
    profiles: Optional[Path] = typer.Option(None, "--profiles", help="Fichier des profils du lot (empreinte vérifiée)."),
    positions: Optional[Path] = typer.Option(None, "--positions", help="Fichier des postes du lot (empreinte vérifiée)."),
    backend: Optional[str] = typer.Option(None, "--backend", help="Où calculer : local ou dask (remplace compute.backend ; mêmes résultats)."),
):
    """Rejouer un lot à partir de son manifeste et vérifier que les sorties sont identiques (code 7 sinon)."""
    from matching.replay import replay as run_replay

    if backend is not None:
        _load_config(None, compute__backend=backend)  # checks the value (exit 3)
    with _Progress(enabled=True) as prog:
        res = run_replay(manifest, out_dir, profiles=profiles, positions=positions, progress=prog, backend=backend)
    for line in res.lines():
        _show(line)
    if not res.identical:
        raise typer.Exit(EXIT_REPLAY)


@app.command()
@_guard
def package(
    outdir: Path = typer.Argument(..., help="Dossier de sortie d'un lot."),
    zip_files: bool = typer.Option(True, "--zip/--no-zip", help="Créer aussi une archive .zip par ministère."),
):
    """(Re)construire les envois : un dossier par ministère, avec ses seuls fichiers et la notice."""
    from matching.package import package_ministries

    packages = package_ministries(outdir, zip=zip_files)
    for ministry, path in sorted(packages.items()):
        _show(f"{ministry} : {path}")


# --- allocate ---------------------------------------------------------------------------
@app.command()
@_guard
def allocate(
    outdir: Path = typer.Argument(..., help="Dossier de sortie d'un lot terminé."),
    method: str = typer.Option("stable", "--method", help="stable (acceptation différée) ou max-score."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Graine du départage (défaut : celle du lot)."),
    proposing: str = typer.Option("engineers", "--proposing", help="Pour stable : engineers ou positions proposent."),
):
    """Proposition d'affectation tenant compte du nombre de postes (simulation, jamais une décision)."""
    from matching.allocate import METHODS, allocate as run_allocation

    if method not in METHODS:
        _fail(EXIT_USAGE, f"--method doit être l'une de {', '.join(METHODS)}, reçu « {method} »")
    if proposing not in ("engineers", "positions"):
        _fail(EXIT_USAGE, f"--proposing doit être engineers ou positions, reçu « {proposing} »")
    res = run_allocation(outdir, method=method, seed=seed, proposing=proposing)
    try:
        from matching.report import refresh_report

        refresh_report(outdir)
    except ImportError:
        pass
    table = Table(title=_text(f"Affectation « {method} » — proposition indicative"))
    table.add_column(_text("Indicateur"))
    for col in [c for c in res.comparison.columns if c not in ("indicator", "label", "note")]:
        table.add_column(_text(col), justify="right")
    for d in res.comparison.to_dict("records"):
        table.add_row(_text(d["label"]), *[_text(_num(d[c])) for c in res.comparison.columns if c not in ("indicator", "label", "note")])
    _show(table)
    for path in res.files:
        _show(f"  {path}")
    _show(("Proposition indicative : les conseillers décident ; aucune affectation automatique.", "italic"))


def _num(v) -> str:
    if isinstance(v, float):
        return f"{v:.3f}".rstrip("0").rstrip(".") if v == v else ""
    return str(v)


@evaluate_app.command("ranking")
@_guard
def evaluate_ranking_cmd(
    bench_dir: Optional[Path] = typer.Argument(None, help="Dossier d'un banc (défaut : tous les bancs de data/benchmarks)."),
    bench: Optional[list[str]] = typer.Option(None, "--bench", help="Nom d'un banc de data/benchmarks (répétable)."),
    as_json: bool = typer.Option(False, "--json", help="N'afficher que le JSON des mesures."),
    model: Optional[str] = typer.Option(None, "--model", help="Modèle d'embedding (remplace model.name)."),
    config: Optional[Path] = typer.Option(None, "--config"),
    k: int = typer.Option(10, "--k"),
    cv: bool = typer.Option(False, "--cv", help="Aussi la validation croisée « un banc laissé de côté » des poids."),
    trials: int = typer.Option(200, "--trials", help="Tirages aléatoires de la recherche de poids (avec --cv)."),
    objective: str = typer.Option("pareto", "--objective", help="Avec --cv : pareto (un poids n'est ajouté que s'il ne dégrade aucun banc d'apprentissage), mean (nDCG moyen) ou regret (pire écart à la meilleure composante seule)."),
):
    """Bancs de classement : moteur complet, chaque composante seule et TF-IDF, mêmes données préparées."""
    from matching.evaluation.ranking_bench import BenchError, evaluate_benches, evaluate_ranking, format_benches, format_table

    cfg = _load_config(config, model__name=model)
    try:
        if bench_dir is not None and not cv:
            res = evaluate_ranking(bench_dir, config=cfg, k=k)
            if as_json:
                sys.stdout.write(json.dumps(res, ensure_ascii=False, default=str) + "\n")
            else:
                _show(format_table(res))
            return
        if cv:
            from matching.evaluation.cv import cross_validate, evaluate_sets, format_cv, prepare_sets

            from matching.evaluation.cv import OBJECTIVES

            if objective not in OBJECTIVES:
                _fail(EXIT_USAGE, f"--objective doit être l'un de {', '.join(OBJECTIVES)}, reçu « {objective} »")
            if bench_dir is not None or (bench and len(bench) < 2):
                _fail(EXIT_USAGE, "--cv compare au moins deux bancs de data/benchmarks (sans dossier, --bench répété).")
            sets = prepare_sets(bench or None, config=cfg, k=k)
            res = evaluate_sets(sets, k=k)
            res["cv"] = cross_validate(sets, k=k, n_trials=trials, objective=objective)
        else:
            res = evaluate_benches(bench or None, config=cfg, k=k)
    except BenchError as exc:
        _fail(EXIT_INPUT, str(exc))
    if as_json:
        sys.stdout.write(json.dumps(res, ensure_ascii=False, default=str) + "\n")
        return
    _show(format_benches(res))
    if cv:
        _show("")
        _show(format_cv(res["cv"]))


@evaluate_app.command("outcomes")
@_guard
def evaluate_outcomes_cmd(
    shortlists: Path = typer.Option(..., "--shortlists", help="shortlists.csv d'un lot."),
    labels: Path = typer.Option(..., "--labels", help="Résultats étiquetés (position_id, profile_id, grade) ou fichier de retours."),
    k: int = typer.Option(10, "--k"),
    as_json: bool = typer.Option(False, "--json", help="N'afficher que le JSON des mesures."),
):
    """Qualité des listes au regard des résultats réels : nDCG@k, MAP, MRR, rappel@k, couverture, exposition."""
    from matching.evaluation.outcomes import evaluate_outcomes, format_outcomes

    res = evaluate_outcomes(shortlists, labels, k=k)
    if as_json:
        sys.stdout.write(json.dumps(res["metrics"]) + "\n")
    else:
        _show(format_outcomes(res, k=k))


@app.command()
@_guard
def tune(
    profiles: Path = typer.Option(..., "--profiles"),
    positions: Path = typer.Option(..., "--positions"),
    labels: Path = typer.Option(..., "--labels", help="Résultats étiquetés ou fichier de retours."),
    out_path: Path = typer.Option(..., "--out", help="Configuration réglée (TOML) à écrire."),
    config: Optional[Path] = typer.Option(None, "--config", help="Configuration de départ."),
    metric: str = typer.Option("ndcg@10", "--metric"),
    trials: int = typer.Option(200, "--trials"),
    seed: int = typer.Option(0, "--seed"),
    fix_min_score: bool = typer.Option(False, "--fix-min-score", help="Ne régler que les poids."),
):
    """Régler les poids (et le score minimal) sur une moitié des postes étiquetés, mesurer sur l'autre."""
    from matching.evaluation.outcomes import read_labels
    from matching.evaluation.tuning import prepare_files, tune as run_tune

    cfg = _load_config(config)
    lab = read_labels(labels)
    prep = prepare_files(profiles, positions, config=cfg)
    res = run_tune(prep, lab, base=cfg, metric=metric, n_trials=trials, seed=seed, tune_min_score=not fix_min_score)
    res.config.save(out_path)
    for line in res.summary():
        _show(line)
    _show(f"Configuration réglée : {out_path}")


@app.command()
@_guard
def compare(
    profiles: Path = typer.Option(..., "--profiles"),
    positions: Path = typer.Option(..., "--positions"),
    configs: list[Path] = typer.Option(..., "--config", help="Deux fois : configuration A puis B."),
    labels: Optional[Path] = typer.Option(None, "--labels"),
    changes_out: Optional[Path] = typer.Option(None, "--changes", help="Écrire les lignes modifiées dans ce CSV."),
):
    """Comparer deux configurations sur les mêmes données : mesures, et lignes de liste modifiées."""
    from matching.evaluation.outcomes import read_labels
    from matching.evaluation.tuning import compare_configs, prepare_files

    if len(configs) != 2:
        _fail(EXIT_USAGE, "indiquez exactement deux fois --config")
    a, b = (_load_config(c) for c in configs)
    prep = prepare_files(profiles, positions, config=a)
    same_inputs = a.model == b.model and a.normalization == b.normalization
    prep_b = None if same_inputs else prepare_files(profiles, positions, config=b)
    lab = read_labels(labels) if labels else None
    metrics, changes = compare_configs(prep, a, b, lab, names=("A", "B"), prepared_b=prep_b)
    _show(metrics.round(4).to_string())
    _show(f"{len(changes)} ligne(s) de liste modifiée(s) : " + ", ".join(f"{k} {v}" for k, v in changes["change"].value_counts().items()))
    if changes_out:
        from matching.io.writers import write_csv

        write_csv(changes, changes_out)


# --- bench ------------------------------------------------------------------------------
@app.command()
@_guard
def bench(
    profiles: int = typer.Option(2000, "--profiles", help="Nombre de profils synthétiques."),
    positions: int = typer.Option(1000, "--positions", help="Nombre de postes synthétiques."),
    stage: Optional[str] = typer.Option(None, "--stage", help="score (score + top-k seulement) ou allocate."),
    as_json: bool = typer.Option(False, "--json", help="N'afficher que le JSON des mesures."),
    seed: int = typer.Option(0, "--seed"),
    config: Optional[Path] = typer.Option(None, "--config"),
    backend: Optional[str] = typer.Option(None, "--backend", help="Où calculer : local ou dask (remplace compute.backend ; mêmes résultats)."),
    encoder: Optional[str] = typer.Option(None, "--encoder", help="Modèle d'embedding (remplace model.name) ; « hashing » : encodeur rapide sans modèle, pour mesurer les autres étapes à grande taille."),
    scaling: bool = typer.Option(False, "--scaling", help="Trois tailles (ou --sizes) et, par étape, l'exposant de la croissance du coût."),
    sizes: Optional[str] = typer.Option(None, "--sizes", help="Avec --scaling : nombres de profils séparés par des virgules (défaut : 100,200,400)."),
    ratio: float = typer.Option(0.25, "--ratio", help="Avec --scaling : postes par profil (défaut : 0,25, un quart)."),
):
    """Banc de performance sur données synthétiques : temps, débit et mémoire par étape, à froid et à chaud, avec les références."""
    from matching.bench import DEFAULT_SIZES, json_shape, render_bench, run_bench, run_scaling

    if stage not in (None, "score", "allocate"):
        _fail(EXIT_USAGE, f"--stage doit être score ou allocate, reçu « {stage} »")
    if (sizes is not None or ratio != 0.25) and not scaling:
        _fail(EXIT_USAGE, "--sizes et --ratio ne s'emploient qu'avec --scaling")
    cfg = _load_config(config, compute__backend=backend, model__name=encoder) if config or backend or encoder else None
    if scaling:
        if stage == "allocate":
            _fail(EXIT_USAGE, "--scaling mesure le lot entier ou --stage score, pas l'allocation (de taille fixe)")
        try:
            counts = [int(v) for v in sizes.split(",")] if sizes else list(DEFAULT_SIZES)
        except ValueError:
            _fail(EXIT_USAGE, f"--sizes attend des nombres de profils séparés par des virgules (par exemple 1000,4000,16000), reçu « {sizes} »")
        if len(set(counts)) < 2 or min(counts) < 1:
            _fail(EXIT_USAGE, f"--sizes attend au moins deux tailles différentes, chacune d'au moins 1 profil, reçu « {sizes} »")
        if not ratio > 0:
            _fail(EXIT_USAGE, f"--ratio doit être positif, reçu {ratio}")
        res = run_scaling(counts, ratio=ratio, stage=stage, config=cfg, seed=seed)
    else:
        res = run_bench(profiles, positions, stage=stage, config=cfg, seed=seed)
    if as_json:
        sys.stdout.write(json.dumps(json_shape(res), ensure_ascii=False, default=str) + "\n")
    else:
        _show(render_bench(res))


@evaluate_app.command("skills")
@_guard
def evaluate_skills_cmd(
    set_path: Optional[Path] = typer.Option(None, "--set", help="Jeu étiqueté (défaut : tests/data/skills_labelled.csv)."),
    as_json: bool = typer.Option(False, "--json", help="N'afficher que le JSON des mesures."),
    no_semantic: bool = typer.Option(False, "--no-semantic", help="Sans l'étape sémantique (pas de modèle)."),
    model: Optional[str] = typer.Option(None, "--model", help="Modèle d'embedding (remplace model.name)."),
    config: Optional[Path] = typer.Option(None, "--config"),
):
    """Normalisation des compétences sur un jeu étiqueté : précision, rappel, rattachements faux."""
    from matching.evaluation.skills_eval import evaluate_skills, format_report

    cfg = _load_config(config, model__name=model)
    encoder = None
    if not no_semantic:
        from matching.embed import load_encoder

        encoder = load_encoder(cfg.model)
    res = evaluate_skills(set_path, encoder=encoder, config=cfg.normalization)
    if as_json:
        res = {k: v for k, v in res.items() if k != "items"}
        sys.stdout.write(json.dumps(res, ensure_ascii=False, default=str) + "\n")
        return
    for line in format_report(res):
        _show(line)


# --- serve: the advisors' workspace in a browser ------------------------------------------
@app.command()
@_guard
def serve(
    workspace: Path = typer.Option(..., "--workspace", help="Dossier des lots (un sous-dossier par lot)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Adresse d'écoute (par défaut : cette machine seulement)."),
    port: int = typer.Option(8000, "--port", help="Port d'écoute."),
    token: Optional[str] = typer.Option(None, "--token", envvar="MOBILITE_TOKEN",
                                        help="Jeton d'accès (sinon : MOBILITE_TOKEN, ou un jeton tiré au hasard)."),
    config: Optional[Path] = typer.Option(None, "--config", help="Configuration des lots téléversés sans configuration."),
    theme: str = typer.Option("dsfr", "--theme", help="dsfr (système de design de l'État) ou simple (hors services de l'État)."),
):
    """Servir l'espace des conseillers : téléverser, vérifier, lancer, relire, expliquer, envoyer."""
    from matching.web.app import THEMES
    from matching.web.security import is_loopback, new_token

    if theme not in THEMES:
        _fail(EXIT_USAGE, f"--theme doit être {' ou '.join(THEMES)}, reçu « {theme} »")
    if not is_loopback(host) and not token:
        _fail(EXIT_USAGE, f"écoute sur {host} (accessible depuis le réseau) refusée sans jeton choisi : "
                          "indiquez --token ou la variable MOBILITE_TOKEN.")
    import uvicorn

    from matching.web.app import create_app
    from matching.web.workspace import Workspace

    cfg = _load_config(config)
    space = Workspace(workspace, config=cfg)
    token = token or new_token()
    app_ = create_app(space, token=token, theme=theme)
    shown = f"[{host}]" if ":" in host else host
    _show(f"Espace des conseillers : http://{shown}:{port}/?token={token}")
    _show(f"Lots : {workspace}. Arrêt : Ctrl+C.")
    try:
        # no access log: addresses and query strings stay out of the server's output
        uvicorn.run(app_, host=host, port=port, access_log=False, log_level="warning")
    finally:
        space.close()


# --- feedback: employers' returned files into the batch's feedback.csv ----------------------
feedback_app = typer.Typer(help="Retours des employeurs et des conseillers (feedback.csv du lot).", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("import")
@_guard
def feedback_import(
    files: list[Path] = typer.Argument(..., help="Fichiers employeurs .xlsx renvoyés, colonne « Avis de l'employeur » remplie."),
    batch: Path = typer.Option(..., "--batch", help="Dossier du lot auquel ces fichiers répondent."),
):
    """Importer les avis des employeurs dans le feedback.csv du lot (lu par evaluate outcomes et tune)."""
    from matching.feedback import FEEDBACK_NAME, import_employer_files
    from matching.io.batch_folder import BatchFolder

    folder = BatchFolder(batch)
    res = import_employer_files(folder, files)
    _show(f"{res.written} avis importé(s) dans {folder.file(FEEDBACK_NAME)} ; {res.already} déjà présent(s) ; "
          f"{res.without_verdict} ligne(s) sans avis de l'employeur (non importées).")


_USAGE_HINT = "Aide : mobilite --help, ou mobilite COMMANDE --help."


def _french_usage_error(exc) -> str:
    """click's usage errors, said in French (option missing, unknown, or of a wrong value)."""
    from typer._click import exceptions as click  # typer (pinned) ships its own click

    def hint(e) -> str:
        if getattr(e, "param_hint", None):
            h = e.param_hint
            return " / ".join(h) if isinstance(h, (list, tuple)) else str(h)
        param = getattr(e, "param", None)
        if param is not None:
            return " / ".join(getattr(param, "opts", []) or [param.name or ""])
        return ""

    if isinstance(exc, click.MissingParameter):
        what = "argument" if getattr(exc, "param_type", "") == "argument" else "option"
        return f"{what} obligatoire manquant(e) : {hint(exc)}"
    if isinstance(exc, click.NoSuchOption):
        close = ", ".join(sorted(exc.possibilities or []))
        return f"option inconnue : {exc.option_name}" + (f" (vouliez-vous dire {close} ?)" if close else "")
    if isinstance(exc, click.BadParameter):
        why = str(exc.message)
        if "valid integer" in why:
            why = "un nombre entier est attendu"
        elif "valid number" in why or "float" in why:
            why = "un nombre est attendu"
        elif "does not exist" in why:
            why = "fichier ou dossier introuvable"
        return f"valeur invalide pour {hint(exc)} : {why}"
    message = exc.format_message()
    if message.startswith("No such command"):
        return "commande inconnue : " + message.split("'")[1] if "'" in message else "commande inconnue"
    if "Got unexpected extra argument" in message:
        return "argument en trop : " + message.split("(")[-1].rstrip(")")
    if "requires an argument" in message:
        return f"l'option {message.split()[0]} attend une valeur"
    return message


def _show_engine_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """The engine's own warnings (French, e.g. a damaged embedding cache set aside) as one
    console line, without Python's source location; others as Python shows them."""
    if category.__module__.startswith("matching"):
        _show(("Attention", "bold yellow"), f" : {message}", stream=err)
    else:
        _PYTHON_SHOWWARNING(message, category, filename, lineno, file, line)


_PYTHON_SHOWWARNING = warnings.showwarning


def main() -> None:
    """The ``mobilite`` command: typer's application, with usage errors in French."""
    from typer._click import exceptions as click  # typer (pinned) ships its own click

    warnings.showwarning = _show_engine_warning
    try:
        code = app(standalone_mode=False)
    except click.NoArgsIsHelpError as exc:  # the help was asked for by giving nothing
        sys.stdout.write(exc.ctx.get_help() + "\n" if exc.ctx is not None else "")
        raise SystemExit(EXIT_OK) from None
    except click.UsageError as exc:
        _show(("Erreur", "bold red"), f" : {_french_usage_error(exc)}", stream=err)
        _show(_USAGE_HINT, stream=err)
        raise SystemExit(EXIT_USAGE) from None
    except typer.Abort:
        _show("Interrompu.", stream=err)
        raise SystemExit(EXIT_INTERNAL) from None
    raise SystemExit(code if isinstance(code, int) else EXIT_OK)


if __name__ == "__main__":
    main()
