"""The advisors' workspace in a real browser: Debian's headless Chromium driven by Selenium
through chromedriver, against ``mobilite serve`` started on a free port (fast hashing
encoder). An advisor uploads the sample, sees the validation, runs the batch, opens a
shortlist, explains a pair that is not on it, strikes a line and downloads a ministry's
package. Screenshots go to tests/_artifacts/web/."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
SHOTS = REPO / "tests" / "_artifacts" / "web"
CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None)
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
TOKEN = "jeton-navigateur-0123456789"

pytestmark = pytest.mark.skipif(
    CHROMEDRIVER is None or CHROMIUM is None,
    reason="chromium et chromium-driver (Debian) absents : `make browser` les installe",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from matching.config import Config

    d = tmp_path_factory.mktemp("serve")
    cfg = d / "hashing.toml"
    Config().replace(model={"name": "hashing"}).save(cfg)
    port = _free_port()
    env = {**os.environ, "MATCHING_CACHE_DIR": os.environ.get("MATCHING_CACHE_DIR", str(REPO / ".cache"))}
    log = open(d / "serveur.log", "w+", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(REPO / "cli.py"), "serve", "--workspace", str(d / "espace"), "--port", str(port),
                             "--token", TOKEN, "--config", str(cfg)], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    yield {"url": f"http://127.0.0.1:{port}", "log": d / "serveur.log", "proc": proc}
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profil-")
    downloads = tempfile.mkdtemp(prefix="chromium-telechargements-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,1000", "--lang=fr-FR", f"--user-data-dir={profile}"):
        opts.add_argument(flag)
    opts.add_experimental_option("prefs", {"download.default_directory": downloads, "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    driver.downloads = Path(downloads)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)
    shutil.rmtree(downloads, ignore_errors=True)


def _shot(driver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.execute_script("window.scrollTo(0, 0)")
    height = driver.execute_script("return Math.min(document.body.scrollHeight, 4000)")
    driver.set_window_size(1400, max(1000, height))
    driver.save_screenshot(str(SHOTS / f"{name}.png"))
    driver.set_window_size(1400, 1000)


def test_an_advisor_runs_reviews_and_sends_a_batch(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait

    wait = WebDriverWait(browser, 30)
    assert server["proc"].poll() is None, server["log"].read_text(encoding="utf-8")

    browser.get(server["url"] + "/")
    assert "Jeton d'accès manquant" in browser.page_source  # no token, no page
    browser.get(f"{server['url']}/?token={TOKEN}")
    assert "token=" not in browser.current_url  # the token is now in the cookie only
    assert browser.find_element(By.TAG_NAME, "h1").text == "Lots"
    _shot(browser, "01-accueil")

    # upload the sample: the validation comes first, nothing runs yet
    browser.find_element(By.ID, "profiles").send_keys(str(SAMPLE / "profiles.csv"))
    browser.find_element(By.ID, "positions").send_keys(str(SAMPLE / "positions.csv"))
    browser.find_element(By.ID, "verifier").click()
    wait.until(EC.presence_of_element_located((By.ID, "comptes")))
    counts = browser.find_element(By.ID, "comptes").text
    assert "Profils 240 240 0" in counts and "Postes 200 200 0" in counts
    assert browser.find_elements(By.ID, "avertissements")  # the sample's one warning, by row and column
    _shot(browser, "02-validation")

    browser.find_element(By.ID, "bouton-lancer").click()
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "suivi")))
    _shot(browser, "03-progression")
    WebDriverWait(browser, 300).until(EC.presence_of_element_located((By.ID, "ministeres")))
    batch_url = browser.current_url
    _shot(browser, "04-lot")

    # a ministry, then a position with candidates: its shortlist
    browser.find_element(By.CSS_SELECTOR, "#ministeres tbody tr td a").click()
    rows = wait.until(EC.presence_of_all_elements_located((By.CSS_SELECTOR, "#postes tbody tr")))
    link = next(r.find_element(By.TAG_NAME, "a") for r in rows if int(r.find_elements(By.TAG_NAME, "td")[-1].text) > 1)
    link.click()
    lines = wait.until(EC.presence_of_all_elements_located((By.CSS_SELECTOR, "#liste tbody tr")))
    assert len(lines) > 1
    shortlist_url = browser.current_url
    _shot(browser, "05-liste-restreinte")

    # explain an engineer who is not on this shortlist
    Select(browser.find_element(By.ID, "autre")).select_by_index(0)
    browser.find_element(By.ID, "bouton-expliquer").click()
    verdict = wait.until(EC.presence_of_element_located((By.ID, "verdict"))).text
    assert "Absent de la liste restreinte" in verdict or "écarté par une règle" in verdict
    account = browser.find_element(By.ID, "compte-rendu").text  # the full CRPA account, as `mobilite explain` prints it
    assert "1. Contribution de l'algorithme" in account and "2. Données utilisées et leur source" in account
    _shot(browser, "06-explication-hors-liste")

    # strike the first line, with a reason
    browser.get(shortlist_url)
    first = browser.find_element(By.CSS_SELECTOR, "#liste tbody tr")
    struck = first.get_attribute("id")
    first.find_element(By.CSS_SELECTOR, "input[name=raison]").send_keys("ne souhaite pas changer de région")
    first.find_element(By.CSS_SELECTOR, "button.ecarter").click()
    wait.until(EC.staleness_of(first))  # the page after the POST, not the one before it
    row = wait.until(EC.presence_of_element_located((By.ID, struck)))
    assert "ecartee" in row.get_attribute("class")
    assert "ne souhaite pas changer de région" in row.text
    _shot(browser, "07-ligne-ecartee")

    # download a ministry's package
    browser.get(batch_url)
    envoi = browser.find_element(By.CSS_SELECTOR, "a.envoi")
    name = envoi.get_attribute("href").rsplit("/", 1)[-1]
    envoi.click()
    target = browser.downloads / name
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not target.is_file():
        time.sleep(0.2)
    assert target.is_file(), sorted(p.name for p in browser.downloads.iterdir())
    with zipfile.ZipFile(target) as zf:
        names = zf.namelist()
    assert any(n.endswith(".xlsx") for n in names) and any(n.endswith("NOTICE_METHODE.html") for n in names)
    _shot(browser, "08-telechargements")

    # the server's log holds no personal data and no address with its query string
    log = server["log"].read_text(encoding="utf-8")
    import csv

    with open(SAMPLE / "profiles.csv", encoding="utf-8") as fh:
        people = list(csv.DictReader(fh))
    for p in people:
        for value in (p.get("full_name"), p.get("email"), p.get("profile_id")):
            assert not value or value not in log
    assert log.count("token=") == 1  # only the link printed at start, as Jupyter does
    assert "GET /" not in log and "POST /" not in log
