"""The advisors' workspace (``mobilite serve``) through its HTTP interface: access rules on
every route, CSRF, path traversal, the fixed JSON API, and the same batch as the CLI."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount

from matching.config import Config
from matching.web.app import create_app
from matching.web.security import COOKIE_NAME, CSRF_FIELD, csrf_token
from matching.web.workspace import Workspace
from tests.test_cli import SAMPLE, cli
from tests.test_pipeline import write_slice

TOKEN = "jeton-de-test-0123456789"
HASHING = Config().replace(model={"name": "hashing"})


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("web-in")
    p = write_slice(SAMPLE / "profiles.csv", d / "profiles.csv", lambda i, r: i < 40)
    q = write_slice(SAMPLE / "positions.csv", d / "positions.csv", lambda i, r: r["position_id"].startswith("ILL-"))
    return p, q


@pytest.fixture(scope="module")
def space(tmp_path_factory):
    ws = Workspace(tmp_path_factory.mktemp("espace"), config=HASHING)
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def app(space):
    return create_app(space, token=TOKEN)


@pytest.fixture(scope="module")
def api(app):
    return TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"})


@pytest.fixture(scope="module")
def done(api, space, files):
    """A batch posted through the API and run to the end."""
    p, q = files
    r = api.post("/api/batches", files={"profiles": ("profils.csv", p.read_bytes()), "positions": ("postes.csv", q.read_bytes())})
    assert r.status_code == 202, r.text
    body = r.json()
    assert set(body) == {"batch_id", "status_url"} and body["status_url"] == f"/api/batches/{body['batch_id']}"
    assert space.wait(body["batch_id"]).status == "done"
    return body["batch_id"]


def _browser(app):
    """A client that holds the cookie, as a browser does after opening the printed link."""
    c = TestClient(app)
    r = c.get(f"/?token={TOKEN}", follow_redirects=False)
    assert r.status_code == 303
    return c


def _concrete(path: str, batch_id: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: batch_id if m.group(0) == "{batch_id}" else "x", path)


def test_every_route_refuses_a_request_without_the_token(app, done):
    routes = [r for r in app.routes if isinstance(r, APIRoute)]
    mounts = [r for r in app.routes if isinstance(r, Mount)]
    assert len(routes) >= 12 and {m.path for m in mounts} == {"/static/dsfr", "/static/app"}
    anonymous = TestClient(app)
    checked = 0
    for route in routes:
        for method in route.methods:
            url = _concrete(route.path, done)
            for headers in ({}, {"Authorization": "Bearer faux"}, {"Cookie": f"{COOKIE_NAME}=faux"}):
                r = anonymous.request(method, url, headers=headers, follow_redirects=False)
                assert r.status_code == 401, (method, url, headers, r.status_code)
            assert anonymous.request(method, url + "?token=faux", follow_redirects=False).status_code == 401
            checked += 1
    for m in mounts:
        assert anonymous.get(m.path + "/app.css").status_code == 401
    assert checked == sum(len(r.methods) for r in routes)
    # the same routes answer with the token (so the 401 above is the token's doing)
    assert TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}).get(f"/batches/{done}").status_code == 200


def test_the_link_sets_a_strict_httponly_cookie_and_drops_the_token(app, done):
    c = TestClient(app)
    r = c.get(f"/batches/{done}?token={TOKEN}&x=1", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/batches/{done}?x=1"
    cookie = r.headers["set-cookie"].lower()
    assert f"{COOKIE_NAME}={TOKEN}".lower() in cookie and "httponly" in cookie and "samesite=strict" in cookie
    page = c.get(f"/batches/{done}")
    assert page.status_code == 200 and "Par ministère" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "http://" not in re.sub(r'xmlns="[^"]+"', "", page.text)  # nothing loaded from outside


def test_a_browser_post_needs_the_csrf_token(app, done, space):
    import pandas as pd

    c = _browser(app)
    sl = pd.read_csv(space.folder(done).file("shortlists.csv"), dtype=str)
    line = {"position_id": sl.position_id[0], "profile_id": sl.profile_id[0], "decision": "écarter", "raison": "déjà en poste"}
    feedback = space.folder(done).file("feedback.csv")
    for form in (line, {**line, CSRF_FIELD: "faux"}):
        r = c.post(f"/batches/{done}/avis", data=form, follow_redirects=False)
        assert r.status_code == 403 and "CSRF" in r.text
        assert not feedback.exists()
    r = c.post(f"/batches/{done}/avis", data={**line, CSRF_FIELD: csrf_token(TOKEN)}, follow_redirects=False)
    assert r.status_code == 303
    assert "non adapté" in feedback.read_text(encoding="utf-8")
    page = c.get(r.headers["location"].split("#")[0])
    assert re.search(rf'<tr id="ligne-{sl.profile_id[0]}" class="ecartee">', page.text)  # struck through
    assert "déjà en poste" in page.text
    # a new batch from a browser without its CSRF token: refused before anything is stored
    assert c.post("/batches", files={"profiles": ("p.csv", b"x"), "positions": ("q.csv", b"y")}).status_code == 403


@pytest.mark.parametrize("name", [
    "../manifest.json", "%2e%2e/%2e%2e/etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd",
    "employeurs/..%2F..%2F..%2Fetc%2Fpasswd", "lien/passwd",
])
def test_downloads_never_leave_the_batch_folder(api, space, done, name):
    folder = space.folder(done)
    link = folder.path / "lien"
    if not link.exists():
        link.symlink_to("/etc", target_is_directory=True)
    for prefix in (f"/api/batches/{done}/files/", f"/batches/{done}/fichiers/"):
        r = api.get(prefix + name)
        assert r.status_code == 404, (prefix + name, r.status_code)
        assert "root:" not in r.text
    assert api.get(f"/api/batches/../../etc/files/passwd").status_code == 404


def test_api_shapes_and_a_ministry_package(api, space, done):
    st = api.get(f"/api/batches/{done}").json()
    assert set(st) == {"status", "progress", "message"} and st["status"] == "done" and st["progress"] == 1.0
    listing = api.get("/api/batches").json()
    assert isinstance(listing, list) and done in [b["batch_id"] for b in listing]
    assert api.get("/api/batches/LOT-000000000000").status_code == 404
    manifest = api.get(f"/api/batches/{done}/files/manifest.json").json()
    assert manifest["batch_id"] == done
    ministry = sorted(manifest["employer_files"])[0]
    slug = manifest["employer_files"][ministry]["xlsx"].split("/")[-1].rsplit(".", 1)[0]
    r = api.get(f"/api/batches/{done}/files/envois/{slug}.zip")
    assert r.status_code == 200 and r.content[:2] == b"PK" and "attachment" in r.headers["content-disposition"]
    assert f'/batches/{done}/fichiers/envois/{slug}.zip' in api.get(f"/batches/{done}").text


def test_web_batch_is_the_cli_batch(done, space, files, tmp_path):
    p, q = files
    out = tmp_path / "cli"
    cli("run", "--profiles", p, "--positions", q, "--out", out, "--model", "hashing", "--quiet", check=0)
    import json

    assert json.loads((out / "manifest.json").read_text())["batch_id"] == done
    assert (out / "shortlists.csv").read_bytes() == space.folder(done).file("shortlists.csv").read_bytes()


def test_upload_is_validated_before_it_runs(app, space, files, tmp_path):
    p, q = files
    bad = tmp_path / "profils.csv"
    text = p.read_text(encoding="utf-8").splitlines()
    bad.write_text("\n".join([*text[:4], "," + text[4].split(",", 1)[1], *text[5:]]) + "\n", encoding="utf-8")  # row 5: no id
    c = _browser(app)
    r = c.post("/batches", data={CSRF_FIELD: csrf_token(TOKEN)},
               files={"profiles": ("profils.csv", bad.read_bytes()), "positions": ("postes.csv", q.read_bytes())},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("/validation")
    bid = r.headers["location"].split("/")[2]
    page = c.get(r.headers["location"])
    assert page.status_code == 200 and 'id="rejets"' in page.text
    row = re.search(r"<tr><td>profils\.csv</td><td>5</td><td>profile_id</td>", page.text)  # the advisor's file name
    assert row, page.text[page.text.find('id="rejets"'):][:800]
    assert space.status(bid).status == "queued" and space.folder(bid) is None  # nothing ran yet
    assert c.get("/api/batches/" + bid).json()["status"] == "queued"


def test_bad_uploads_get_a_french_message(api, files, app):
    p, q = files
    r = api.post("/api/batches", files={"profiles": ("profils.exe", p.read_bytes()), "positions": ("postes.csv", q.read_bytes())})
    assert r.status_code == 400 and "type de fichier refusé" in r.json()["detail"]
    r = api.post("/api/batches", files={"profiles": ("p.csv", p.read_bytes()), "positions": ("q.csv", q.read_bytes()),
                                        "config": ("c.toml", b"[weights]\nsemantic = -3\n")})
    assert r.status_code == 400 and "Traceback" not in r.text
    sneaky = create_app(Workspace(p.parent / "rusé", config=HASHING), token=TOKEN)
    r = TestClient(sneaky, headers={"Authorization": f"Bearer {TOKEN}"}).post(
        "/api/batches", files={"profiles": ("../../../profils.csv", p.read_bytes()), "positions": ("..\\postes.csv", q.read_bytes())})
    assert r.status_code == 202
    staged = sneaky.state.workspace.staged(r.json()["batch_id"])
    root = (p.parent / "rusé" / "_entrees").resolve()
    assert staged.profiles.name == "profils.csv" and root in staged.profiles.resolve().parents
    assert root in staged.positions.resolve().parents
    assert not (p.parent.parent / "profils.csv").exists()
    sneaky.state.workspace.wait(r.json()["batch_id"])
    small = create_app(Workspace(p.parent / "petit", config=HASHING), token=TOKEN, max_upload_bytes=1000)
    r = TestClient(small, headers={"Authorization": f"Bearer {TOKEN}"}).post(
        "/api/batches", files={"profiles": ("p.csv", p.read_bytes()), "positions": ("q.csv", q.read_bytes())})
    assert r.status_code == 413 and "trop volumineux" in r.json()["detail"]


def test_pages_of_a_batch(api, done, space):
    import pandas as pd

    sl = pd.read_csv(space.folder(done).file("shortlists.csv"), dtype=str)
    pos = sl.position_id[0]
    page = api.get(f"/batches/{done}/postes/{pos}").text
    assert page.count('<tr id="ligne-') == int((sl.position_id == pos).sum())
    top = sl[sl.position_id == pos].profile_id.iloc[0]
    searched = api.get(f"/batches/{done}/postes/{pos}", params={"q": top}).text
    assert searched.count('<tr id="ligne-') == 1
    outsider = sorted(set(pd.read_csv(space.folder(done).file("opportunities.csv"), dtype=str).profile_id) - set(sl[sl.position_id == pos].profile_id))[0]
    ex = api.get(f"/batches/{done}/expliquer", params={"profil": outsider, "poste": pos})
    assert ex.status_code == 200 and ("Absent de la liste restreinte" in ex.text or "écarté par une règle" in ex.text)
    assert "L311-3-1" in ex.text
    eng = api.get(f"/batches/{done}/ingenieurs/{outsider}")
    assert eng.status_code == 200 and "Postes écartés par une règle" in eng.text
    assert api.get(f"/batches/{done}/expliquer", params={"profil": "ING-INCONNU", "poste": pos}).status_code == 400


def test_plain_theme_serves_no_dsfr_file(space):
    c = TestClient(create_app(space, token=TOKEN, theme="simple"), headers={"Authorization": f"Bearer {TOKEN}"})
    home = c.get("/").text
    assert "dsfr" not in home and "Marianne" not in home
    assert c.get("/static/dsfr/dsfr.min.css").status_code == 404
    assert c.get("/static/dsfr/fonts/Marianne-Regular.woff2").status_code == 404


def test_serve_refuses_a_network_address_without_a_chosen_token(tmp_path):
    proc = cli("serve", "--workspace", tmp_path / "e", "--host", "0.0.0.0", env={"MOBILITE_TOKEN": ""}, check=2)
    assert "refusée sans jeton" in " ".join(proc.stderr.split())
