"""The pytest plugin, tested the way users meet it: files run by ``pytester``, outcomes and exact lines."""

from __future__ import annotations

import ast

import pytest

import pytest_plugin
from pytest_plugin._settings import KNOBS
from theorydb_mocks import DynamoDBEmulator, FakeDynamoDBClient, FakeKmsClient

pytest_plugins = ["pytester"]

MODEL = """
from dataclasses import dataclass

from theorydb_py import ModelDefinition, theorydb_field


@dataclass
class User:
    id: str = theorydb_field(roles=["pk"])
    name: str = ""


USERS = ModelDefinition.from_dataclass(User, table_name="users")
"""


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The inner runs choose their backend only through what each test gives them."""
    for knob in KNOBS:
        for name in (knob.env, *knob.env_aliases):
            monkeypatch.delenv(name, raising=False)


# --- fakes ---


def test_fake_ddb_pending_expectation_fails_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_forgets_a_call(fake_ddb):
            fake_ddb.expect("get_item", {"TableName": "users"})
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_forgets_a_call*",
            "E   theorydb_mocks.fakes.PendingExpectationsError: "
            "FakeDynamoDBClient: the test did not go as declared",
            "      expectations never met (1):",
            "        get_item(TableName='users')",
        ]
    )


def test_fake_ddb_met_expectations_pass(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from pytest_plugin import FakeDynamoDB

        def test_calls(fake_ddb: FakeDynamoDB):
            fake_ddb.expect("get_item", {"TableName": "users"}, response={"Item": {"pk": {"S": "1"}}})
            assert fake_ddb.get_item(TableName="users", Key={"pk": {"S": "1"}})["Item"] == {"pk": {"S": "1"}}
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_fake_teardown_stays_quiet_when_the_test_already_failed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_fails_first(fake_ddb):
            fake_ddb.expect("get_item", {"TableName": "users"})
            assert 1 == 2
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.no_fnmatch_line("*PendingExpectationsError*")


def test_fake_kms_unused_injected_error_fails_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_injects(fake_kms):
            fake_kms.inject_error("AccessDeniedException", method="decrypt")
            assert len(fake_kms.generate_data_key(KeyId="k", KeySpec="AES_256")["Plaintext"]) == 32
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*FakeKmsClient: the test did not go as declared",
            "      injected errors never raised (1):",
            "        AccessDeniedException on decrypt (1 left)",
        ]
    )


# --- emulator fixtures ---


def test_emulator_fixtures_and_table_factory(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        models=MODEL,
        test_users="""
        from models import USERS, User

        def test_put_and_get(ddb_table, ddb_emulator, theorydb_backend):
            users = ddb_table(USERS)
            users.put(User(id="1", name="Ada"))
            assert users.get("1").name == "Ada"
            assert list(ddb_emulator.tables) == ["users"]
            assert theorydb_backend == "emulator"

        def test_fresh_emulator_per_test(ddb_emulator, ddb_client):
            assert ddb_client.list_tables()["TableNames"] == []

        def test_dataclass_and_renamed_table(ddb_table, ddb_boto3):
            table = ddb_table(User, table_name="people", client=ddb_boto3)
            table.put(User(id="2"))
            assert ddb_boto3.list_tables()["TableNames"] == ["people"]
            assert type(ddb_boto3).__name__ == "DynamoDB"

        def test_partiql_on_the_fixtures(ddb_table, ddb_client, ddb_boto3):
            ddb_table(USERS).put(User(id="3", name="Grace"))
            for client in (ddb_client, ddb_boto3):
                found = client.execute_statement(Statement="SELECT name FROM users WHERE id = '3'")
                assert found["Items"] == [{"name": {"S": "Grace"}}]
        """,
    )
    pytester.runpytest().assert_outcomes(passed=4)


def test_session_emulator_is_shared_and_function_emulator_is_not(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        SEEN = []

        def test_first(ddb_emulator_session, ddb_emulator):
            SEEN.append((ddb_emulator_session, ddb_emulator))

        def test_second(ddb_emulator_session, ddb_emulator):
            assert ddb_emulator_session is SEEN[0][0]
            assert ddb_emulator is not SEEN[0][1]
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_failure_report_lists_recent_emulator_operations(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_reads_a_missing_table(ddb_client):
            ddb_client.list_tables()
            ddb_client.describe_table(TableName="missing")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- theorydb: last 2 operations of ddb_emulator -*",
            "1. ListTables {} -> ok",
            "2. DescribeTable {'TableName': 'missing'} -> "
            "ResourceNotFoundException: Requested resource not found*",
        ]
    )


def test_operation_log_is_bounded_and_can_be_turned_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_many(ddb_client):
            for _ in range(5):
                ddb_client.list_tables()
            assert False
        """
    )
    result = pytester.runpytest("--theorydb-log-size=2")
    result.stdout.fnmatch_lines(
        ["*- theorydb: last 2 operations of ddb_emulator -*", "4. ListTables {} -> ok"]
    )
    result = pytester.runpytest("--theorydb-log-size=0")
    result.assert_outcomes(failed=1)
    result.stdout.no_fnmatch_line("*theorydb: last*")


def test_ini_log_size_must_be_a_number(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ntheorydb_log_size = lots\n")
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest()
    result.stderr.fnmatch_lines(["ERROR: ini theorydb_log_size must be a whole number, not 'lots'"])


# --- backends and the marker ---


BACKEND_PROBE = """
import pytest

def test_backend(theorydb_backend):
    print("BACKEND", theorydb_backend)

@pytest.mark.theorydb(backend="emulator")
def test_forced(theorydb_backend, ddb_client):
    assert theorydb_backend == "emulator"
    assert type(ddb_client).__name__ == "EmulatorClient"

@pytest.mark.theorydb(skip_on=["emulator"], reason="the emulator has no global tables")
def test_needs_a_real_service():
    pass

@pytest.mark.theorydb(skip_on="endpoint")
def test_not_on_endpoint():
    pass
"""


def test_default_backend_and_marker_skip(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(BACKEND_PROBE)
    result = pytester.runpytest("-s", "-rs")
    result.assert_outcomes(passed=3, skipped=1)
    result.stdout.fnmatch_lines(
        ["*BACKEND emulator*", "SKIPPED [[]1[]] test_*.py:*: the emulator has no global tables"]
    )


def test_backend_from_ini_environment_and_command_line(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(BACKEND_PROBE)
    pytester.makeini("[pytest]\ntheorydb_endpoint = http://127.0.0.1:9\n")
    result = pytester.runpytest("-s", "-rs")
    result.assert_outcomes(passed=3, skipped=1)
    result.stdout.fnmatch_lines(
        ["*BACKEND endpoint*", "SKIPPED [[]1[]] test_*.py:*: not supported on the endpoint backend"]
    )
    monkeypatch.setenv("THEORYDB_BACKEND", "emulator")
    result = pytester.runpytest("-s")
    result.stdout.fnmatch_lines(["*BACKEND emulator*"])
    result = pytester.runpytest("-s", "--theorydb-backend=dynamodb-local")
    result.stdout.fnmatch_lines(["*BACKEND dynamodb-local*"])


def test_every_knob_has_one_name_in_three_spellings() -> None:
    for knob in KNOBS:
        spelled = knob.name.replace("-", "_")
        assert (knob.flag, knob.env, knob.ini) == (
            f"--theorydb-{knob.name}",
            f"THEORYDB_{spelled.upper()}",
            f"theorydb_{spelled}",
        )


ENDPOINT_PROBE = """
def test_endpoint(pytestconfig, theorydb_backend):
    from pytest_plugin._fixtures import SETTINGS
    print("SEEN", theorydb_backend, pytestconfig.stash[SETTINGS].endpoint)
"""


@pytest.mark.parametrize(
    ("where", "spelling"),
    [
        ("flag", "--theorydb-endpoint"),
        ("flag", "--ddb-endpoint"),
        ("env", "THEORYDB_ENDPOINT"),
        ("env", "THEORYDB_DDB_ENDPOINT"),
        ("ini", "theorydb_endpoint"),
    ],
)
def test_endpoint_in_every_spelling_and_alias(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, where: str, spelling: str
) -> None:
    pytester.makepyfile(ENDPOINT_PROBE)
    url = "http://127.0.0.1:9"
    args = ["-s"]
    if where == "flag":
        args.append(f"{spelling}={url}")
    elif where == "env":
        monkeypatch.setenv(spelling, url)
    else:
        pytester.makeini(f"[pytest]\n{spelling} = {url}\n")
    result = pytester.runpytest(*args)
    result.stdout.fnmatch_lines([f"*SEEN endpoint {url}"])


def test_log_size_and_local_endpoint_from_the_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        """
        def test_seen(pytestconfig):
            from pytest_plugin._fixtures import SETTINGS
            settings = pytestconfig.stash[SETTINGS]
            print("SEEN", settings.log_size, settings.dynamodb_local_endpoint)
        """
    )
    monkeypatch.setenv("THEORYDB_LOG_SIZE", "3")
    monkeypatch.setenv("DYNAMODB_LOCAL_ENDPOINT", "http://old:1")
    result = pytester.runpytest("-s")
    result.stdout.fnmatch_lines(["*SEEN 3 http://old:1"])
    monkeypatch.setenv("THEORYDB_DYNAMODB_LOCAL_ENDPOINT", "http://new:2")
    result = pytester.runpytest("-s", "--theorydb-log-size=4")
    result.stdout.fnmatch_lines(["*SEEN 4 http://new:2"])
    monkeypatch.setenv("THEORYDB_LOG_SIZE", "-1")
    result = pytester.runpytest()
    result.stderr.fnmatch_lines(["ERROR: $THEORYDB_LOG_SIZE must not be negative, not -1"])


def test_bad_backend_settings_are_usage_errors(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(BACKEND_PROBE)
    result = pytester.runpytest("--theorydb-backend=endpoint")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: theorydb backend 'endpoint' needs a URL: "
            "--theorydb-endpoint, $THEORYDB_ENDPOINT or ini theorydb_endpoint"
        ]
    )
    monkeypatch.setenv("THEORYDB_BACKEND", "postgres")
    result = pytester.runpytest()
    result.stderr.fnmatch_lines(
        [
            "ERROR: $THEORYDB_BACKEND: unknown theorydb backend 'postgres'; "
            "choose from emulator, dynamodb-local, endpoint"
        ]
    )


def test_a_bad_marker_fails_its_own_test_and_the_others_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.theorydb(backend="moto")
        def test_bad():
            pass

        @pytest.mark.theorydb(skip_on=["emulator"], colour="blue")
        def test_unknown_argument():
            pass

        def test_good(ddb_client):
            assert ddb_client.list_tables()["TableNames"] == []
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at setup of test_bad _*",
            "@pytest.mark.theorydb(backend=...): "
            "unknown theorydb backend 'moto'; choose from emulator, dynamodb-local, endpoint",
            "*_ ERROR at setup of test_unknown_argument _*",
            "@pytest.mark.theorydb got unknown arguments colour",
        ]
    )
    result.stdout.no_fnmatch_line("*Traceback*")


def test_a_projects_own_ddb_client_does_not_retarget_ddb_table(pytester: pytest.Pytester) -> None:
    """A conftest's ``ddb_client`` (here: another emulator) used to receive ``ddb_table``'s tables."""
    pytester.makepyfile(models=MODEL)
    pytester.makeconftest(
        """
        import pytest
        from theorydb_mocks import DynamoDBEmulator

        ELSEWHERE = DynamoDBEmulator()  # stands for the project's own endpoint

        @pytest.fixture
        def ddb_client():
            return ELSEWHERE.client()
        """
    )
    pytester.makepyfile(
        test_users="""
        from conftest import ELSEWHERE
        from models import USERS, User

        def test_tables_go_to_the_plugins_backend(ddb_table, ddb_emulator, theorydb_client):
            users = ddb_table(USERS)
            users.put(User(id="1"))
            assert list(ddb_emulator.tables) == ["users"]
            assert ELSEWHERE.client().list_tables()["TableNames"] == []

        def test_an_explicit_client_is_used_and_cleaned_up(ddb_table, ddb_client):
            users = ddb_table(USERS, client=ddb_client)
            assert users.table_name == "users"
            assert ELSEWHERE.client().list_tables()["TableNames"] == ["users"]

        def test_nothing_was_left_behind():
            assert ELSEWHERE.client().list_tables()["TableNames"] == []
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=3)


def test_an_unreachable_endpoint_is_reported_once_in_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("n", range(3))
        def test_uses_the_endpoint(ddb_client, n):
            ddb_client.list_tables()

        def test_without_dynamodb():
            pass
        """
    )
    result = pytester.runpytest("--theorydb-endpoint=http://127.0.0.1:9", "-rE")
    result.assert_outcomes(passed=1, errors=3)
    reason = (
        "cannot reach the DynamoDB endpoint http://127.0.0.1:9 (endpoint backend): "
        'Could not connect to the endpoint URL: "http://127.0.0.1:9/"'
    )
    result.stdout.fnmatch_lines([f"*theorydb: {reason}"])
    assert result.stdout.str().count("Traceback") == 0
    assert len(result.stdout.lines) < 40  # was hundreds of lines per test
    section = result.stdout.str().split("theorydb ===", 1)[1]
    # pytest's own short summary repeats each error's message (untruncated when CI is set): not ours
    section = section.split("short test summary info", 1)[0]
    assert section.count(reason) == 1


def test_marker_is_registered_for_strict_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.theorydb(backend=None, skip_on=(), reason=None): *"])


@pytest.mark.dynamodb_local
@pytest.mark.parametrize("how", ["backend", "endpoint"])
def test_same_tests_run_against_dynamodb_local(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, dynamodb_local_endpoint: str, how: str
) -> None:
    monkeypatch.setenv("DYNAMODB_LOCAL_ENDPOINT", dynamodb_local_endpoint)  # the inner run reuses it
    flag = (
        "--theorydb-backend=dynamodb-local"
        if how == "backend"
        else f"--theorydb-endpoint={dynamodb_local_endpoint}"
    )
    pytester.makepyfile(
        models=MODEL,
        test_users="""
        import pytest
        from models import USERS, User

        NAMES = []

        def test_put_and_get(ddb_table, ddb_client, theorydb_backend):
            users = ddb_table(USERS)
            assert users.table_name.startswith("users-main-")
            users.put(User(id="1", name="Ada"))
            assert users.get("1").name == "Ada"
            assert type(ddb_client).__name__ == "DynamoDB"
            assert theorydb_backend in ("dynamodb-local", "endpoint")
            NAMES.append(users.table_name)

        def test_table_was_deleted_after_the_test(ddb_client):
            with pytest.raises(ddb_client.exceptions.ResourceNotFoundException):
                ddb_client.describe_table(TableName=NAMES[0])
        """,
    )
    result = pytester.runpytest(flag)
    result.assert_outcomes(passed=2)


# --- the package itself ---


def test_public_names() -> None:
    assert pytest_plugin.__all__ == sorted(pytest_plugin.__all__)
    for name in pytest_plugin.__all__:
        assert getattr(pytest_plugin, name) is not None
    assert pytest_plugin.FakeDynamoDB is FakeDynamoDBClient
    assert pytest_plugin.FakeKms is FakeKmsClient
    assert pytest_plugin.DynamoDBEmulator is DynamoDBEmulator
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        _ = pytest_plugin.nope


# --- pytest-xdist (not a dependency: skipped where it is not installed) ---


@pytest.mark.dynamodb_local
def test_xdist_workers_get_their_own_emulators_and_table_names(
    pytester: pytest.Pytester, dynamodb_local_endpoint: str
) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(
        models=MODEL,
        test_workers="""
        import os

        import pytest
        from models import USERS, User

        @pytest.mark.parametrize("n", range(4))
        def test_worker(n, ddb_table, ddb_emulator_session):
            worker = os.environ["PYTEST_XDIST_WORKER"]
            users = ddb_table(USERS)
            assert users.table_name.startswith(f"users-{worker}-")
            users.put(User(id=str(n)))
            client = ddb_emulator_session.client()
            client.create_table(
                TableName=f"table-{n}",
                BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            )
            print("WORKER", worker, sorted(client.list_tables()["TableNames"]))
        """,
    )
    result = pytester.runpytest_subprocess(
        "-n", "2", "-p", "xdist", f"--ddb-endpoint={dynamodb_local_endpoint}", "-rA"
    )
    result.assert_outcomes(passed=4)
    lines = [line for line in result.outlines if line.startswith("WORKER ")]
    per_worker: dict[str, list[str]] = {}
    for line in lines:
        _, worker, tables = line.split(" ", 2)
        per_worker.setdefault(worker, []).append(tables)
    # each worker's session emulator holds only the tables its own tests created
    assert len(per_worker) == 2, lines
    for seen in per_worker.values():
        assert len(ast.literal_eval(seen[-1])) == len(seen)
