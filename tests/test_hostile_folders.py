"""Hostile folders (issue 15): inputs inside the output folder, a file or a read-only folder
as ``--out``, links planted in a batch folder, a batch killed while it is written, two runs
into one folder, tampered manifests. Every case goes through the engine or the real CLI,
and checks what the advisor sees (a French message and its exit code, no traceback) and
what stays on disk (the inputs, the old batch, nothing outside the folder)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from matching.errors import FolderBusyError, FolderError, InputFileError
from matching.io.batch_folder import BatchFolder, BatchFolderError

try:
    from tests.test_package import POSITIONS, PROFILES
except ImportError:  # tests/ not a package
    from test_package import POSITIONS, PROFILES

REPO = Path(__file__).resolve().parents[1]


# --- helpers ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def matcher(hashing_encoder):
    from matching.config import Config
    from matching.engine import Matcher

    return Matcher(Config().replace(model={"name": "hashing"}), encoder=hashing_encoder)


@pytest.fixture
def inputs(tmp_path) -> tuple[Path, Path, Path, Path]:
    """Two input pairs that give two different batches (``old``: all rows; ``new``: one
    engineer and one ministry less)."""
    d = tmp_path / "entrees"
    d.mkdir()
    (d / "profiles.csv").write_text(PROFILES, encoding="utf-8")
    (d / "positions.csv").write_text(POSITIONS, encoding="utf-8")
    lines = PROFILES.splitlines(keepends=True)
    (d / "profiles-new.csv").write_text("".join(lines[:-2] + lines[-1:]), encoding="utf-8")
    lines = POSITIONS.splitlines(keepends=True)  # without the Ministère de la Culture (P4, P5)
    (d / "positions-new.csv").write_text("".join(lines[:-2]), encoding="utf-8")
    return d / "profiles.csv", d / "positions.csv", d / "profiles-new.csv", d / "positions-new.csv"


def cli(*args):
    env = dict(os.environ, PYTHONPATH=str(REPO), COLUMNS="1000")  # one line per message
    proc = subprocess.run([sys.executable, str(REPO / "cli.py"), *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=REPO)
    assert "Traceback" not in proc.stderr and "erreur interne" not in proc.stderr + proc.stdout, proc.stderr
    return proc


def run_cli(profiles, positions, out, *extra):
    return cli("run", "--profiles", profiles, "--positions", positions, "--out", out, "--model", "hashing", "--quiet", *extra)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}."))


def assert_whole_batch(folder: Path, batch_id: str | None = None) -> str:
    """The folder holds exactly one batch: every file is an output of its manifest (with its
    hash), every output is there, and the tables carry the manifest's batch id."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files = snapshot(folder)
    assert set(files) == set(manifest["outputs"]) | {"manifest.json"}, set(files) ^ set(manifest["outputs"])
    for name, digest in manifest["outputs"].items():
        assert hashlib.sha256(files[name]).hexdigest() == digest, name
    ids = set(pd.read_csv(folder / "shortlists.csv", dtype=str, encoding="utf-8-sig")["batch_id"])
    assert ids == {manifest["batch_id"]}
    if batch_id is not None:
        assert manifest["batch_id"] == batch_id
    return manifest["batch_id"]


@contextlib.contextmanager
def read_only(folder: Path):
    """Make ``folder`` unwritable for this process: ``chmod`` for a normal user; for root
    (whom ``chmod`` does not stop), the immutable attribute."""
    if os.geteuid() != 0:
        os.chmod(folder, 0o555)
        try:
            yield "lecture seule"
        finally:
            os.chmod(folder, 0o755)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
        pytest.skip("ni utilisateur ordinaire ni chattr : impossible de rendre un dossier non inscriptible")
    try:
        yield "protégé"
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


# --- 1. inputs and output never overlap ---------------------------------------------------
def test_input_inside_the_output_folder_is_refused_and_kept(inputs, tmp_path):
    folder = inputs[0].parent
    hostile = folder / "rejects.csv"  # the name the batch would overwrite
    shutil.copy(inputs[0], hostile)
    before = snapshot(folder)
    for out, extra in ((folder, ()), (folder, ("--replace",)), (tmp_path, ("--replace",))):
        proc = run_cli(hostile, inputs[1], out, *extra)
        assert proc.returncode == 2, proc.stderr
        assert "dans le dossier de sortie" in proc.stderr and "serait détruit" in proc.stderr
    assert snapshot(folder) == before  # not one byte of the inputs changed


def test_output_beside_the_inputs_is_fine(matcher, inputs):
    out = inputs[0].parent / "lot"
    matcher.run(inputs[0], inputs[1], out=out)
    assert_whole_batch(out)
    assert inputs[0].read_text(encoding="utf-8") == PROFILES


def test_out_pointing_at_a_file_is_refused(inputs, tmp_path):
    target = tmp_path / "un-fichier.txt"
    target.write_text("à garder", encoding="utf-8")
    proc = run_cli(inputs[0], inputs[1], target, "--replace")
    assert proc.returncode == 4 and "n'est pas un dossier" in proc.stderr
    assert target.read_text(encoding="utf-8") == "à garder"


# --- 2. read-only, immutable, full, foreign files --------------------------------------------
def test_read_only_output_folder_keeps_the_old_batch(matcher, inputs, tmp_path):
    out = tmp_path / "lot"
    matcher.run(inputs[0], inputs[1], out=out)
    before = snapshot(out)
    with read_only(out) as why:
        with pytest.raises(FolderError, match=why):
            matcher.run(inputs[2], inputs[3], out=out, replace=True)
    assert snapshot(out) == before and leftovers(out) == []


def test_read_only_parent_is_refused_before_any_work(matcher, inputs, tmp_path):
    parent = tmp_path / "parent"
    parent.mkdir()
    with read_only(parent):
        with pytest.raises(FolderError) as err:
            matcher.run(inputs[0], inputs[1], out=parent / "lot")
    assert "dossier parent" in str(err.value) and err.value.exit_code == 4
    assert list(parent.iterdir()) == []


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True).returncode == 0


def test_full_disk_and_read_only_file_system_keep_the_old_batch(matcher, inputs, tmp_path):
    """A file system with no room for the new batch, then a read-only one: the CLI's exit
    code 4 and a French reason, the old batch untouched, no staging folder left."""
    mnt = tmp_path / "petit-disque"
    if not _mount_tmpfs(mnt, "2m"):
        pytest.skip("montage d'un tmpfs impossible ici (il faut être root)")
    try:
        out = mnt / "lot"
        matcher.run(inputs[0], inputs[1], out=out)
        before = snapshot(out)
        used = sum(len(v) for v in before.values())
        filler = mnt / "remplissage"  # less room left than a new batch needs
        filler.write_bytes(b"\0" * (shutil.disk_usage(mnt).free - used // 4))
        proc = run_cli(inputs[2], inputs[3], out, "--replace")
        assert proc.returncode == 4 and "plus de place sur le disque" in proc.stderr, proc.stderr
        assert snapshot(out) == before and leftovers(out) == []
        filler.unlink()
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        proc = run_cli(inputs[2], inputs[3], out, "--replace")
        assert proc.returncode == 4 and "lecture seule" in proc.stderr, proc.stderr
        assert snapshot(out) == before
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


@pytest.mark.parametrize("planted", ["employeurs/notes.docx", "envois/x/brouillon.docx", "employeurs/dossier.csv/"])
def test_foreign_file_or_folder_in_a_batch_is_never_removed(matcher, inputs, tmp_path, planted):
    out = tmp_path / "lot"
    matcher.run(inputs[0], inputs[1], out=out)
    target = out / planted
    if planted.endswith("/"):
        target.mkdir(parents=True)
        (target / "a-garder.txt").write_text("x", encoding="utf-8")
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("à garder", encoding="utf-8")
    before = snapshot(out)
    proc = run_cli(inputs[2], inputs[3], out, "--replace")
    assert proc.returncode == 4 and "ne viennent pas du moteur" in proc.stderr and "rien n'a été effacé" in proc.stderr
    assert snapshot(out) == before


def test_a_folder_in_place_of_an_employer_file_gives_a_clear_message_on_package(matcher, inputs, tmp_path):
    out = tmp_path / "lot"
    matcher.run(inputs[0], inputs[1], out=out)
    employer = sorted((out / "employeurs").glob("*.csv"))[0]
    employer.unlink()
    employer.mkdir()
    proc = cli("package", out)
    assert proc.returncode == 4 and "un dossier occupe la place d'un fichier attendu" in proc.stderr, proc.stderr


# --- 3. links that leave the folder ------------------------------------------------------
@pytest.mark.parametrize("name", ["employeurs", "envois", "etat"])
def test_a_planted_folder_link_is_refused_and_nothing_is_written_outside(matcher, inputs, tmp_path, name):
    out, outside = tmp_path / "lot", tmp_path / "ailleurs"
    matcher.run(inputs[0], inputs[1], out=out)
    outside.mkdir()
    shutil.rmtree(out / name)
    (out / name).symlink_to(outside, target_is_directory=True)
    with pytest.raises(BatchFolderError, match="lien symbolique"):
        matcher.run(inputs[2], inputs[3], out=out, replace=True)
    if name == "envois":
        proc = cli("package", out)
        assert proc.returncode == 4 and "lien symbolique" in proc.stderr
    with pytest.raises(BatchFolderError, match="lien"):
        BatchFolder(out).ensure(name)
    assert list(outside.iterdir()) == []


def test_an_in_place_write_replaces_a_planted_file_link_not_its_target(matcher, inputs, tmp_path):
    from matching.allocate import allocate

    out, secret = tmp_path / "lot", tmp_path / "a-proteger.csv"
    matcher.run(inputs[0], inputs[1], out=out)
    secret.write_text("ne pas écraser", encoding="utf-8")
    (out / "allocation-stable.csv").symlink_to(secret)
    allocate(out, method="stable")
    assert secret.read_text(encoding="utf-8") == "ne pas écraser"
    assert not (out / "allocation-stable.csv").is_symlink()


# --- 4. a new batch replaces the old one whole -------------------------------------------------
def test_replace_leaves_no_stale_file_of_the_older_batch(matcher, inputs, tmp_path):
    from matching.allocate import allocate

    out = tmp_path / "lot"
    first = matcher.run(inputs[0], inputs[1], out=out)
    allocate(out, method="stable")
    old_files = set(snapshot(out))
    second = matcher.run(inputs[2], inputs[3], out=out, replace=True)
    assert first.batch_id != second.batch_id
    assert_whole_batch(out, second.batch_id)
    stale = old_files - set(snapshot(out))
    assert any(n.startswith("allocation-") for n in stale)  # the older batch's allocation is gone
    assert any(n.startswith("employeurs/") for n in stale)  # and the ministry that left the batch
    assert leftovers(out) == []
    assert all(p.is_relative_to(out) and p.exists() for p in second.files.values())


def test_without_replace_a_batch_is_kept_and_nothing_is_created(matcher, inputs, tmp_path):
    out = tmp_path / "lot"
    matcher.run(inputs[0], inputs[1], out=out)
    before = snapshot(out)
    with pytest.raises(BatchFolderError, match="--replace"):
        matcher.run(inputs[2], inputs[3], out=out)
    assert snapshot(out) == before
    with pytest.raises(InputFileError):  # an input error: no empty output folder is left behind
        matcher.run(tmp_path / "absent.csv", inputs[1], out=tmp_path / "neuf")
    assert not (tmp_path / "neuf").exists() and leftovers(tmp_path / "neuf") == []


def test_two_rename_fallback_and_its_recovery(matcher, inputs, tmp_path, monkeypatch):
    """Without renameat2 the swap is two renames; a run killed between them leaves the old
    batch (or the complete new one) aside, and the next lock puts it back in place."""
    import matching.io.batch_folder as bf

    monkeypatch.setattr(bf, "_EXCHANGE", None)
    out = tmp_path / "lot"
    first = matcher.run(inputs[0], inputs[1], out=out)
    second = matcher.run(inputs[2], inputs[3], out=out, replace=True)
    assert_whole_batch(out, second.batch_id) and leftovers(out) == []

    # killed after "out -> .old": the next run rolls back to the old batch, then replaces it
    before = snapshot(out)
    out.rename(tmp_path / ".lot.old-0123456789ab")
    (tmp_path / ".lot.staging-ba9876543210").mkdir()  # an unfinished staging folder
    assert "échange interrompu annulé" in BatchFolder(out).recover()
    assert snapshot(out) == before and leftovers(out) == []

    # killed after "staging -> .ready" and "out -> .old": the complete new batch goes in place
    shutil.copytree(out, tmp_path / ".lot.ready-0123456789ab")
    out.rename(tmp_path / ".lot.old-0123456789ab")
    with BatchFolder(out).lock():
        pass
    assert snapshot(out) == before and leftovers(out) == []
    assert first.batch_id != second.batch_id


# --- 5. SIGKILL during the write stage; concurrent runs --------------------------------------
_WRITER = textwrap.dedent(
    """
    import os, sys, time
    import matching.io.batch_folder as bf
    from matching.config import Config, ModelConfig
    from matching.embed import load_encoder
    from matching.engine import Matcher

    profiles, positions, out, delay, fallback = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5] == "1"
    step = [0]

    def event(name):  # the test's hook: announce each step of the write stage, then wait
        step[0] += 1
        print(f"{step[0]} {name}", flush=True)
        time.sleep(delay)

    real_replace, real_rename, real_remove = os.replace, os.rename, bf._remove_tree

    def replace(a, b, **kw):
        event("replace")
        return real_replace(a, b, **kw)

    def rename(a, b, **kw):
        event("rename")
        return real_rename(a, b, **kw)

    def remove(path):
        event("remove")
        return real_remove(path)

    if fallback:
        bf._EXCHANGE = None
    else:
        real_exchange = bf._exchange
        def exchange(a, b):
            event("exchange")
            done = real_exchange(a, b)
            event("exchanged")
            return done
        bf._exchange = exchange
    os.replace, os.rename, bf._remove_tree = replace, rename, remove
    matcher = Matcher(Config().replace(model={"name": "hashing"}), encoder=load_encoder(ModelConfig(name="hashing"), cache=False))
    batch = matcher.run(profiles, positions, out=out, replace=True)
    print("done", batch.batch_id, flush=True)
    """
)


def _writer(tmp_path: Path, profiles, positions, out, *, delay: float, fallback: bool = False) -> subprocess.Popen:
    script = tmp_path / "writer.py"
    script.write_text(_WRITER, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, str(script), str(profiles), str(positions), str(out), str(delay),
                             "1" if fallback else "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=REPO)


def test_sigkill_at_random_points_of_the_write_stage_leaves_the_old_or_the_new_batch(matcher, inputs, tmp_path):
    out, pristine = tmp_path / "lot", tmp_path / "copie-du-lot"
    old_id = matcher.run(inputs[0], inputs[1], out=out).batch_id
    shutil.copytree(out, pristine, symlinks=True)
    old = snapshot(out)

    def restore_old():
        shutil.rmtree(out)
        shutil.copytree(pristine, out, symlinks=True)

    # one complete run counts the steps of the write stage
    proc = _writer(tmp_path, inputs[2], inputs[3], out, delay=0.0)
    lines = proc.communicate(timeout=300)[0].splitlines()
    assert proc.returncode == 0 and lines[-1].startswith("done")
    new_id = lines[-1].split()[1]
    assert new_id != old_id
    steps = [ln.split()[1] for ln in lines[:-1]]
    steps = steps[steps.index("replace"):]  # from the first file written (recover() may remove leftovers before)
    assert {"replace", "exchange", "exchanged", "remove"} <= set(steps)
    restore_old()

    rng = random.Random(15)
    # the first step and the end of the swap always; the others at random
    points = sorted({1, steps.index("exchanged") + 1} | set(rng.sample(range(2, len(steps) + 1), 2)))
    seen = set()
    for fallback, target in [(False, k) for k in points] + [(True, None)] * 2:
        proc = _writer(tmp_path, inputs[2], inputs[3], out, delay=0.05, fallback=fallback)
        k = 0
        for line in proc.stdout:
            if line.startswith("done"):
                break
            name = line.split()[1]
            k += 1 if (k or name == "replace") else 0
            if k == target or (target is None and name == "rename" and rng.random() < 0.5):
                time.sleep(rng.uniform(0, 0.05))
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        proc.stdout.close()
        proc.stderr.close()
        if fallback:
            BatchFolder(out).recover()  # the next open finishes or rolls back the two renames
        if snapshot(out) == old:
            seen.add("old")
        else:
            assert_whole_batch(out, new_id)  # never a mix: every file of the new batch, nothing else
            seen.add("new")
            restore_old()
    assert seen == {"old", "new"}, seen
    # the next run cleans up whatever the killed runs left beside the folder
    matcher.run(inputs[2], inputs[3], out=out, replace=True)
    assert_whole_batch(out, new_id)
    assert leftovers(out) == []


def test_a_second_run_into_a_locked_folder_is_refused_and_the_first_completes(matcher, inputs, tmp_path):
    out = tmp_path / "lot"
    matcher.run(inputs[0], inputs[1], out=out)
    first = _writer(tmp_path, inputs[2], inputs[3], out, delay=0.5)
    assert first.stdout.readline().split()[1] == "replace"  # the first run is writing
    proc = run_cli(inputs[0], inputs[1], out, "--replace")
    assert proc.returncode == 4 and "un autre lancement est en train d'écrire dans ce dossier" in proc.stderr
    with pytest.raises(FolderBusyError):  # the in-place updates wait their turn too
        BatchFolder(out).write_text("report.html", "x")
    rest, _ = first.communicate(timeout=300)
    assert first.returncode == 0
    assert_whole_batch(out, rest.splitlines()[-1].split()[1])
    assert leftovers(out) == []


# --- 6. a manifest is trusted only within its batch folder -------------------------------------
def _tamper(out: Path, change) -> None:
    path = out / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def test_replay_refuses_manifest_paths_outside_the_batch_unless_given(matcher, inputs, tmp_path):
    out = tmp_path / "lot"
    batch = matcher.run(inputs[0], inputs[1], out=out)
    secret = tmp_path / "secret.csv"
    secret.write_text("profile_id\nconfidentiel\n", encoding="utf-8")
    (out / "lien.csv").symlink_to(secret)
    digest = hashlib.sha256(secret.read_bytes()).hexdigest()
    for path, rel in ((str(secret), None), (None, "../secret.csv"), (None, "lien.csv")):
        def change(m, path=path, rel=rel):
            m["inputs"]["profiles"].update(path=path, path_from_outputs=rel, sha256=digest)
        _tamper(out, change)
        proc = cli("replay", out, "--out", tmp_path / "rejeu")
        assert proc.returncode == 4 and "hors du dossier du lot" in proc.stderr and "--profiles" in proc.stderr
        assert "confidentiel" not in proc.stdout + proc.stderr and digest[:12] not in proc.stderr
    assert not (tmp_path / "rejeu").exists()
    # the same files given on the command line: the replay runs (and is checked by hash)
    _tamper(out, lambda m: m["inputs"]["profiles"].update(batch.manifest["inputs"]["profiles"]))
    proc = cli("replay", out, "--out", tmp_path / "rejeu", "--profiles", inputs[0], "--positions", inputs[1])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "shortlists.csv : identique" in proc.stdout and "employeurs/ministere-des-armees.csv : identique" in proc.stdout
    proc = cli("replay", out, "--out", tmp_path / "rejeu2", "--profiles", secret, "--positions", inputs[1])
    assert proc.returncode == 4 and "a changé depuis le lot" in proc.stderr


@pytest.mark.parametrize("rel", ["../secret.csv", "/etc/hostname", "pseudonymes.csv", "employeurs/lien.csv"])
def test_package_refuses_manifest_files_outside_the_employer_files(matcher, inputs, tmp_path, rel):
    out = tmp_path / "lot"
    matcher.run(inputs[0], inputs[1], out=out)
    secret = tmp_path / "secret.csv"
    secret.write_text("confidentiel\n", encoding="utf-8")
    (out / "employeurs" / "lien.csv").symlink_to(secret)

    def change(m):
        ministry = sorted(m["employer_files"])[0]
        m["employer_files"][ministry]["csv"] = rel
    _tamper(out, change)
    proc = cli("package", out)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "hors de employeurs/" in proc.stderr or "lien vers l'extérieur" in proc.stderr
    sent = [p.read_bytes() for p in (out / "envois").rglob("*") if p.is_file()] if (out / "envois").exists() else []
    assert sent and not any(b"confidentiel" in data for data in sent)  # the batch's envois, untouched
