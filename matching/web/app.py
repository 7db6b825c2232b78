"""The advisors' workspace: routes of the web application (``mobilite serve``).

Server-rendered pages (Jinja2 templates, in French) and a small JSON API, both over a
:class:`matching.web.workspace.Workspace`, which runs batches through the engine object
(:class:`matching.engine.Matcher`) and opens finished ones with
:meth:`matching.batch.Batch.open`. Access rules: :mod:`matching.web.security`.

Pages: ``/`` (batches, new batch), ``/batches/{id}`` (batch page, or its progress),
``/batches/{id}/validation``, ``/batches/{id}/postes`` and ``/batches/{id}/postes/{poste}``
(a shortlist, with the review), ``/batches/{id}/ingenieurs/{profil}``,
``/batches/{id}/expliquer?profil=…&poste=…``, ``/batches/{id}/fichiers/{nom}``.
API: ``POST /api/batches``, ``GET /api/batches``, ``GET /api/batches/{id}``,
``GET /api/batches/{id}/files/{name}``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from matching.errors import MatchingError
from matching.web.security import CSRF_FIELD, CsrfError, TokenMiddleware, check_csrf
from matching.web.workspace import Workspace

__all__ = ["create_app", "THEMES", "MAX_UPLOAD_BYTES"]

HERE = Path(__file__).resolve().parent
THEMES = ("dsfr", "simple")
MAX_UPLOAD_BYTES = 50_000_000
#: files offered for download on the batch page (when present), with their French label
ADVISOR_FILES = {
    "report.html": "Rapport du lot (page autonome)",
    "lot.xlsx": "Classeur des conseillers",
    "shortlists.csv": "Toutes les listes restreintes (CSV)",
    "opportunities.csv": "Meilleurs postes par ingénieur (CSV)",
    "rejects.csv": "Lignes rejetées (CSV)",
    "warnings.csv": "Avertissements de lecture (CSV)",
    "feedback.csv": "Retours des conseillers et des employeurs (CSV)",
}


def _num(value: Any, digits: int = 3) -> str:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return "n. a."
    return f"{x:.{digits}f}".replace(".", ",")


def _cell(value: Any) -> str:
    """A table cell: nothing for an empty value (None, NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def create_app(workspace: Workspace, *, token: str, theme: str = "dsfr", max_upload_bytes: int = MAX_UPLOAD_BYTES) -> FastAPI:
    """The application of one workspace, behind ``token``; ``theme`` ``dsfr`` (the State's
    design system, vendored) or ``simple`` (no DSFR file, no Marianne font served)."""
    from matching.components import COMPONENTS
    from matching.explain import SHORT_LABELS

    if theme not in THEMES:
        raise ValueError(theme)
    app = FastAPI(title="Espace des conseillers mobilité", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.workspace = workspace
    app.add_middleware(TokenMiddleware, token=token, max_upload_bytes=max_upload_bytes)
    if theme == "dsfr":
        app.mount("/static/dsfr", StaticFiles(directory=HERE / "static" / "dsfr"), name="dsfr")
    app.mount("/static/app", StaticFiles(directory=HERE / "static" / "app"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["num"] = _num
    templates.env.filters["cell"] = _cell
    templates.env.globals.update(theme=theme, components=COMPONENTS, labels=SHORT_LABELS, csrf_field=CSRF_FIELD)

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, {"csrf": request.state.csrf, **context}, status_code=status_code)

    def batch_or_404(batch_id: str):
        batch = workspace.open(batch_id) if workspace.folder(batch_id) is not None else None
        if batch is None:
            raise HTTPException(404, f"Lot {batch_id} introuvable dans l'espace de travail.")
        return batch

    # --- errors, in French, never a traceback -------------------------------------------
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return page(request, "error.html", status_code=exc.status_code, title="Erreur", message=exc.detail)

    @app.exception_handler(CsrfError)
    async def csrf_error(request: Request, exc: CsrfError):
        message = "Formulaire refusé : jeton anti-falsification (CSRF) absent ou invalide. Rechargez la page et recommencez."
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message}, status_code=403)
        return page(request, "error.html", status_code=403, title="Formulaire refusé", message=message)

    @app.exception_handler(MatchingError)
    async def engine_error(request: Request, exc: MatchingError):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=400)
        return page(request, "error.html", status_code=400, title="Problème", message=str(exc))

    # --- uploads (shared by the page and the API) ----------------------------------------
    async def staged_from(request: Request):
        await check_csrf(request)
        form = await request.form(max_files=3, max_fields=10)
        files: dict[str, tuple[str, bytes]] = {}
        for key in ("profiles", "positions", "config"):
            item = form.get(key)
            if isinstance(item, UploadFile):
                files[key] = (item.filename or key, await item.read())
        return await run_in_threadpool(workspace.stage, files)

    # --- pages ------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request):
        return page(request, "home.html", title="Lots", batches=workspace.listing())

    @app.post("/batches")
    async def new_batch(request: Request):
        staged = await staged_from(request)
        return RedirectResponse(f"/batches/{staged.batch_id}/validation", status_code=303)

    @app.get("/batches/{batch_id}/validation", response_class=HTMLResponse)
    def validation(request: Request, batch_id: str):
        staged = workspace.staged(batch_id)
        if staged is None:
            raise HTTPException(404, f"Aucun fichier téléversé pour le lot {batch_id}.")
        inputs = workspace.validate(staged)
        return page(request, "validation.html", title="Vérification des fichiers", batch_id=batch_id,
                    inputs=inputs, rejects=inputs.rejects.to_dict("records"), warnings=inputs.warnings.to_dict("records"),
                    status=workspace.status(batch_id))

    @app.post("/batches/{batch_id}/lancer")
    async def launch(request: Request, batch_id: str):
        await check_csrf(request)
        try:
            workspace.start(batch_id)
        except KeyError:
            raise HTTPException(404, f"Aucun fichier téléversé pour le lot {batch_id}.") from None
        return RedirectResponse(f"/batches/{batch_id}", status_code=303)

    @app.get("/batches/{batch_id}", response_class=HTMLResponse)
    def batch_page(request: Request, batch_id: str):
        if workspace.folder(batch_id) is None:
            try:
                status = workspace.status(batch_id)
            except KeyError:
                raise HTTPException(404, f"Lot {batch_id} introuvable dans l'espace de travail.") from None
            return page(request, "progress.html", title="Lot en cours", batch_id=batch_id, status=status)
        batch = batch_or_404(batch_id)
        from matching.web.views import batch_summary

        return page(request, "batch.html", title=f"Lot {batch_id}", batch=batch, **batch_summary(batch, ADVISOR_FILES))

    @app.get("/batches/{batch_id}/postes", response_class=HTMLResponse)
    def positions(request: Request, batch_id: str, ministere: str = "", q: str = ""):
        from matching.web.views import position_rows

        batch = batch_or_404(batch_id)
        return page(request, "positions.html", title="Postes", batch=batch, ministere=ministere, q=q,
                    rows=position_rows(batch, ministry=ministere, query=q))

    @app.get("/batches/{batch_id}/postes/{position_id}", response_class=HTMLResponse)
    def shortlist(request: Request, batch_id: str, position_id: str, q: str = "", tri: str = "rang"):
        from matching.web.views import shortlist_view

        batch = batch_or_404(batch_id)
        view = shortlist_view(batch, position_id, query=q, sort=tri)
        return page(request, "shortlist.html", title=f"Liste restreinte — {position_id}", batch=batch, q=q, tri=tri, **view)

    @app.get("/batches/{batch_id}/ingenieurs")
    async def engineer_search(batch_id: str, profil: str = ""):
        from urllib.parse import quote

        if not profil:
            raise HTTPException(400, "Indiquez l'identifiant de l'ingénieur.")
        return RedirectResponse(f"/batches/{batch_id}/ingenieurs/{quote(profil, safe='')}", status_code=303)

    @app.get("/batches/{batch_id}/ingenieurs/{profile_id}", response_class=HTMLResponse)
    def engineer(request: Request, batch_id: str, profile_id: str):
        from matching.web.views import engineer_view

        batch = batch_or_404(batch_id)
        return page(request, "engineer.html", title=f"Ingénieur {profile_id}", batch=batch, **engineer_view(batch, profile_id))

    @app.get("/batches/{batch_id}/expliquer", response_class=HTMLResponse)
    def explain(request: Request, batch_id: str, profil: str = "", poste: str = ""):
        from matching.explain import render_account

        batch = batch_or_404(batch_id)
        if not profil or not poste:
            raise HTTPException(400, "Indiquez l'ingénieur (profil) et le poste à expliquer.")
        account = batch.explain(profil, poste)
        return page(request, "explain.html", title="Explication d'un couple", batch=batch, acc=account,
                    text=render_account(account, batch.config))

    @app.post("/batches/{batch_id}/avis")
    async def review(request: Request, batch_id: str):
        from matching.feedback import review_line

        await check_csrf(request)
        batch = batch_or_404(batch_id)
        form = await request.form(max_files=0, max_fields=10)
        get = lambda k: str(form.get(k) or "").strip()  # noqa: E731
        review_line(batch.folder, position_id=get("position_id"), profile_id=get("profile_id"),
                    decision=get("decision"), reason=get("raison"))
        return RedirectResponse(f"/batches/{batch_id}/postes/{get('position_id')}#ligne-{get('profile_id')}", status_code=303)

    def download(batch_id: str, name: str):
        from matching.io.batch_folder import BatchFolderError

        folder = workspace.folder(batch_id)
        if folder is None:
            raise HTTPException(404, f"Lot {batch_id} introuvable dans l'espace de travail.")
        try:
            path = folder.file(name)
        except BatchFolderError:
            raise HTTPException(404, "Fichier refusé : seuls les fichiers du dossier du lot sont téléchargeables.") from None
        if not path.is_file():
            raise HTTPException(404, f"{name} : fichier absent du lot.")
        if path.suffix == ".html":  # the report: shown, sandboxed (no script, nothing from outside)
            return FileResponse(path, media_type="text/html; charset=utf-8",
                                headers={"Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"})
        return FileResponse(path, filename=path.name, content_disposition_type="attachment")

    @app.get("/batches/{batch_id}/fichiers/{name:path}")
    async def batch_file(batch_id: str, name: str):
        return download(batch_id, name)

    # --- the JSON API (fixed shapes) --------------------------------------------------------
    @app.post("/api/batches", status_code=202)
    async def api_new_batch(request: Request):
        staged = await staged_from(request)
        workspace.start(staged.batch_id)
        return {"batch_id": staged.batch_id, "status_url": f"/api/batches/{staged.batch_id}"}

    @app.get("/api/batches")
    async def api_batches():
        return workspace.listing()

    @app.get("/api/batches/{batch_id}")
    async def api_batch(batch_id: str):
        try:
            return workspace.status(batch_id).to_dict()
        except KeyError:
            raise HTTPException(404, f"Lot {batch_id} introuvable.") from None

    @app.get("/api/batches/{batch_id}/files/{name:path}")
    async def api_file(batch_id: str, name: str):
        return download(batch_id, name)

    return app
