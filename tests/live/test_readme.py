"""README, followed literally: its curl walk-through runs as written against a live gunicorn
(kernel-given port, fresh database with the demo data `make run` loads), and `make run`'s
banner names the address gunicorn binds."""
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADING = re.compile(r"^#{2,3} (.+)$", re.M)
WALKTHROUGH = ("A walk-through with curl", "Phones, partners and researchers",
               "Evidence attachments (resumable, sealed)", "Who sees what, sessions and passwords (issue 11)")
FENCE = re.compile(r"^```sh\n(.*?)^```$", re.S | re.M)
LIMIT_SECONDS = 300


def walkthrough() -> str:
    """The shell blocks of README's walk-through sections, in order."""
    parts = HEADING.split((ROOT / "README.md").read_text(encoding="utf-8"))
    sections = dict(zip(parts[1::2], parts[2::2], strict=False))  # heading → its text up to the next one
    blocks = [block for title in WALKTHROUGH for block in FENCE.findall(sections[title])]
    assert len(blocks) >= 2, "the walk-through and the phones/partners/researchers blocks"
    return "\n".join(blocks)


def demo_logins(output: str) -> dict[str, str]:
    """role → password, from what `flask seed demo` printed."""
    found = re.findall(r"^\s+(\w+)\s+\S+@demo\.example\s+(\S+)$", output, re.M)
    return dict(found)


def test_the_walkthrough_runs_as_written(live, tmp_path):
    passwords = demo_logins(live.flask("seed", "demo", "--if-empty"))
    assert {"monitor", "partner", "researcher"} <= set(passwords)
    script = walkthrough()
    for role in ("monitor", "partner", "researcher"):  # what a reader pastes in
        placeholder = f"'{role.upper()}-PASSWORD'"
        assert placeholder in script, placeholder
        script = script.replace(placeholder, f"'{passwords[role]}'")
        script = script.replace(f'"{role.upper()}-PASSWORD"', f'"{passwords[role]}"')  # inside JSON
    assert "B=http://127.0.0.1:5000/api/v1" in script
    script = script.replace("B=http://127.0.0.1:5000/api/v1", f"B={live.url}/api/v1")
    assert "uuidgen" not in script and "date -d" not in script
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path,
                          capture_output=True, text=True, timeout=LIMIT_SECONDS,
                          env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert '"status":"created"' in out.replace(" ", "")
    assert '"status":"unchanged"' in out.replace(" ", "")
    assert re.search(r"^304$", out, re.M), "the partner's same query with its ETag gets 304"
    assert '"safeguard"' in out and '"items"' in out
    assert re.search(r"^204$", out, re.M), "the attachment's bytes were accepted"
    assert (tmp_path / "copy.pdf").read_bytes() == (tmp_path / "report.pdf").read_bytes()
    assert '"access_token"' in out, "the monitor's own password change"


def test_make_run_banner_names_the_bind_address():
    recipe = subprocess.run(["make", "-n", "-s", "run"], cwd=ROOT, capture_output=True, text=True,
                            timeout=LIMIT_SECONDS, env={"PATH": "/usr/bin:/bin"}).stdout
    banner = next(line for line in recipe.splitlines() if line.startswith("echo \"API on"))
    shown = subprocess.run(["sh", "-c", banner], capture_output=True, text=True,
                           env={"BIND": "0.0.0.0:8123"}).stdout
    assert shown.startswith("API on http://0.0.0.0:8123/api/v1")
    default = subprocess.run(["sh", "-c", banner], capture_output=True, text=True, env={}).stdout
    assert default.startswith("API on http://127.0.0.1:5000/api/v1")
