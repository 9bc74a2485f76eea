"""The command line: users create, seed demo, sweep."""
from monitor.extensions import db
from monitor.models import Detention, Facility, User
from monitor.services.accounts.passwords import verify_password


def test_users_create_reads_the_password_from_stdin(runner):
    result = runner.invoke(args=["users", "create", "--email", "Cli@Example.org", "--role", "partner",
                                 "--countries", "MX,ke", "--organization", "NGO",
                                 "--password-stdin"], input="a long enough password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.email == "cli@example.org"))
    assert user.role == "partner" and user.countries == ["KE", "MX"]
    assert user.organization.name == "NGO"
    assert verify_password(user.password_hash, "a long enough password")
    assert "a long enough password" not in result.output


def test_users_create_rejects_short_password_and_bad_role(runner):
    short = runner.invoke(args=["users", "create", "--email", "x@example.org", "--role", "monitor",
                                "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "password" in short.output
    role = runner.invoke(args=["users", "create", "--email", "x@example.org", "--role", "king",
                               "--password-stdin"], input="a long enough password\n")
    assert role.exit_code != 0


def test_seed_demo_once(runner):
    first = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "monitor@demo.example" in first.output
    counts = (db.session.query(Facility).count(), db.session.query(Detention).count())
    assert counts[0] >= 4 and counts[1] >= 12
    countries = {f.country for f in db.session.scalars(db.select(Facility))}
    assert {"MX", "PH", "NG", "KE"} <= countries
    assert {u.role for u in db.session.scalars(db.select(User))} == {"admin", "monitor", "partner", "researcher"}
    again = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert again.exit_code == 0 and "monitor@demo.example" not in again.output
    assert db.session.query(Detention).count() == counts[1]


def test_sweep_command_prints_what_it_flagged(runner):
    runner.invoke(args=["seed", "demo"])
    result = runner.invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("examined ")
