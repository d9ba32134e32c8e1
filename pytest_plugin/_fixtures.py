"""The plugin's fixtures: strict fakes, emulators at two scopes, backend clients, a table factory.

Everything heavy (boto3, the emulator, the ORM) is imported inside the fixtures, so a test session that uses
none of them pays nothing for the plugin.
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

import pytest

from pytest_plugin._oplog import OperationLog
from pytest_plugin._settings import MarkerError, Settings, marker_for, worker_id

if TYPE_CHECKING:
    from theorydb_mocks.emulator import DynamoDBEmulator
    from theorydb_mocks.fakes import FakeDynamoDBClient, FakeKmsClient
    from theorydb_py import ModelDefinition, Table

__all__ = [
    "CALL_FAILED",
    "MARKER_ERROR",
    "SETTINGS",
    "UNREACHABLE",
    "TableFactory",
    "ddb_boto3",
    "ddb_client",
    "ddb_emulator",
    "ddb_emulator_session",
    "ddb_seed",
    "ddb_seeded_emulator",
    "ddb_table",
    "fail_for_marker",
    "fake_ddb",
    "fake_kms",
    "logs_of",
    "skip_for_marker",
    "theorydb_backend",
    "theorydb_client",
    "unreachable_report",
]

SETTINGS = pytest.StashKey[Settings]()
CALL_FAILED = pytest.StashKey[bool]()
MARKER_ERROR = pytest.StashKey[str]()  # a test's unusable theorydb marker, reported when it is set up
UNREACHABLE = pytest.StashKey[dict[str, str]]()  # endpoint -> why it could not be reached (once a session)
_CLIENTS = pytest.StashKey[dict[str, Any]]()

# emulator -> its operation log (weak: a test's emulator goes away with the test)
_LOGS: weakref.WeakKeyDictionary[Any, OperationLog] = weakref.WeakKeyDictionary()


def logs_of(values: dict[str, Any]) -> list[tuple[str, OperationLog]]:
    """The operation logs of the emulators among a test's fixture values, by fixture name."""
    found: list[tuple[str, OperationLog]] = []
    for name, value in values.items():
        try:
            log = _LOGS.get(value)
        except TypeError:  # an unhashable fixture value
            continue
        if log is not None and len(log) and all(log is not seen for _, seen in found):
            found.append((name, log))
    return found


def _settings(config: pytest.Config) -> Settings:
    return config.stash[SETTINGS]


def _call_failed(request: pytest.FixtureRequest) -> bool:
    return bool(request.node.stash.get(CALL_FAILED, False))


# --- strict fakes ---


@pytest.fixture
def fake_ddb(request: pytest.FixtureRequest) -> Iterator[FakeDynamoDBClient]:
    """A strict ``FakeDynamoDBClient``; expectations still pending fail the test at teardown.

    The teardown check is skipped when the test itself already failed, so one mistake gives one report.
    """
    __tracebackhide__ = True
    from theorydb_mocks.fakes import FakeDynamoDBClient

    fake = FakeDynamoDBClient()
    yield fake
    if not _call_failed(request):
        fake.assert_no_pending()


@pytest.fixture
def fake_kms(request: pytest.FixtureRequest) -> Iterator[FakeKmsClient]:
    """A ``FakeKmsClient`` (loose: a fixed 32-byte key); strict violations and unused injected errors fail."""
    __tracebackhide__ = True
    from theorydb_mocks.fakes import FakeKmsClient

    kms = FakeKmsClient()
    yield kms
    if not _call_failed(request):
        kms.assert_no_pending()


# --- emulators: one generator, two scopes ---


def _emulator(pytestconfig: pytest.Config) -> Iterator[DynamoDBEmulator]:
    """A fresh in-memory DynamoDB, logging its recent operations for failure reports."""
    from theorydb_mocks.emulator import DynamoDBEmulator

    emulator = DynamoDBEmulator()
    size = _settings(pytestconfig).log_size
    if size:
        _LOGS[emulator] = OperationLog.attach(emulator, size)
    yield emulator


ddb_emulator = pytest.fixture(name="ddb_emulator")(_emulator)
ddb_emulator_session = pytest.fixture(name="ddb_emulator_session", scope="session")(_emulator)


@pytest.fixture(scope="session")
def ddb_seed(ddb_emulator_session: DynamoDBEmulator, pytestconfig: pytest.Config) -> None:
    """Fill ``ddb_emulator_session`` once per session (and per xdist worker): the dump named by
    ``--theorydb-seed`` (``$THEORYDB_SEED``, ini ``theorydb_seed``) if any; override it in a conftest to
    seed by code."""
    seed = _settings(pytestconfig).seed
    if seed is not None:
        ddb_emulator_session.load(seed)


@pytest.fixture
def ddb_seeded_emulator(ddb_seed: None, ddb_emulator_session: DynamoDBEmulator) -> Iterator[DynamoDBEmulator]:
    """The session's seeded emulator; everything the test does to it is rolled back at teardown.

    ``emu.rollback()``: items, tables, indexes, TTL, streams, tags and the capacity ledger come back as the
    seed left them, at the cost of the test's own changes (no copy of the data set).
    """
    with ddb_emulator_session.rollback():
        yield ddb_emulator_session


# --- the backend of a test and its clients ---


@pytest.fixture
def theorydb_backend(request: pytest.FixtureRequest) -> str:
    """The backend this test talks to: ``emulator``, ``dynamodb-local`` or ``endpoint``."""
    return marker_for(request.node).backend or _settings(request.config).backend


@pytest.fixture(scope="session")
def theorydb_dynamodb_local(pytestconfig: pytest.Config) -> Iterator[str]:
    """The endpoint of DynamoDB Local: the ``dynamodb-local-endpoint`` setting, else one started here.

    The setting: ``--theorydb-dynamodb-local-endpoint``, ``$THEORYDB_DYNAMODB_LOCAL_ENDPOINT`` (or the older
    ``$DYNAMODB_LOCAL_ENDPOINT``), ini ``theorydb_dynamodb_local_endpoint``.
    """
    from theorydb_mocks.dynamodb_local import DynamoDBLocal, unavailable_reason

    given = _settings(pytestconfig).dynamodb_local_endpoint
    if given:
        yield given
        return
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    with DynamoDBLocal() as local:
        yield local.endpoint_url


def _endpoint_client(request: pytest.FixtureRequest, backend: str) -> Any:
    """A real boto3 client for the endpoint of a non-emulator backend, made once per session and endpoint.

    The endpoint is probed once (a ``ListTables`` with a short timeout and no retries): if nothing answers,
    every test that needs it fails at setup with one line, instead of a traceback per test after botocore's
    retries; the terminal summary says it once.
    """
    __tracebackhide__ = True
    if backend == "dynamodb-local":
        endpoint = str(request.getfixturevalue("theorydb_dynamodb_local"))
    else:
        endpoint = str(_settings(request.config).endpoint)
    unreachable = request.config.stash.setdefault(UNREACHABLE, {})
    if endpoint not in unreachable:
        clients = request.config.stash.setdefault(_CLIENTS, {})
        if endpoint in clients:
            return clients[endpoint]
        problem = _probe(_boto3_client(endpoint, backend, probe=True))
        if problem is None:
            clients[endpoint] = _boto3_client(endpoint, backend)
            return clients[endpoint]
        unreachable[endpoint] = (
            f"cannot reach the DynamoDB endpoint {endpoint} ({backend} backend): {problem}"
        )
    pytest.fail(f"theorydb: {unreachable[endpoint]}", pytrace=False)


def _boto3_client(endpoint: str, backend: str, *, probe: bool = False) -> Any:
    """A boto3 client for ``endpoint``: the user's credentials for ``endpoint``, dummies for DynamoDB Local.

    ``probe``: a short connect timeout and a single attempt, to learn quickly whether anything answers.
    """
    import boto3
    from botocore.config import Config

    session = boto3.session.Session()
    credentials = session.get_credentials() if backend == "endpoint" else None
    return session.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=session.region_name or "us-east-1",
        aws_access_key_id=credentials.access_key if credentials else "theorydblocal",
        aws_secret_access_key=credentials.secret_key if credentials else "theorydblocal",
        aws_session_token=credentials.token if credentials else None,
        config=Config(connect_timeout=3, read_timeout=10, retries={"total_max_attempts": 1})
        if probe
        else None,
    )


def _probe(client: Any) -> str | None:
    """Why ``client``'s endpoint does not answer (connection refused, unknown host, timeout), or None."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client.list_tables(Limit=1)
    except ClientError:
        return None  # it answered, if only to refuse the credentials: the tests will say what
    except BotoCoreError as err:
        return str(err)
    return None


@pytest.fixture
def theorydb_client(
    request: pytest.FixtureRequest, theorydb_backend: str, ddb_emulator: DynamoDBEmulator
) -> Any:
    """The plugin's low-level client for this test's backend (the emulator's direct client by default).

    ``ddb_table`` creates its tables with this one, never with a ``ddb_client`` fixture a project defines
    for itself, so overriding ``ddb_client`` cannot send the plugin's tables to another endpoint.
    """
    if theorydb_backend == "emulator":
        return ddb_emulator.client()
    return _endpoint_client(request, theorydb_backend)


@pytest.fixture
def ddb_client(theorydb_client: Any) -> Any:
    """A low-level DynamoDB client for this test's backend (the emulator's direct client by default)."""
    return theorydb_client


@pytest.fixture
def ddb_boto3(request: pytest.FixtureRequest, theorydb_backend: str, ddb_emulator: DynamoDBEmulator) -> Any:
    """A real boto3 DynamoDB client: on the emulator, answered in-process (botocore runs in full)."""
    if theorydb_backend == "emulator":
        return ddb_emulator.boto3_client()
    return _endpoint_client(request, theorydb_backend)


# --- tables from models ---


class TableFactory(Protocol):
    """``ddb_table(model, **table_options)``: create the model's table and return a ready ``Table``."""

    def __call__(
        self, model: ModelDefinition[Any] | type[Any], *, client: Any = None, **table_options: Any
    ) -> Table[Any]: ...


@pytest.fixture
def ddb_table(
    request: pytest.FixtureRequest, theorydb_backend: str, theorydb_client: Any
) -> Iterator[TableFactory]:
    """Create a model's table on this test's backend and return a ``Table`` bound to it.

    The tables go where the plugin's backend is (``theorydb_client``), never to a ``ddb_client`` fixture a
    project defines for itself; ``client=`` names another client explicitly. On the test's own emulator a
    table keeps the model's name; on a shared endpoint the name gets a per-worker, per-test suffix. Every
    table made on a shared endpoint or on an explicit ``client=`` is deleted after the test.
    """
    from theorydb_py import ModelDefinition, Table, create_table, delete_table

    shared = theorydb_backend != "emulator"
    suffix = f"{worker_id(request.config)}-{uuid.uuid4().hex[:8]}"
    made: list[tuple[ModelDefinition[Any], str, Any]] = []

    def make(
        model: ModelDefinition[Any] | type[Any], *, client: Any = None, **table_options: Any
    ) -> Table[Any]:
        __tracebackhide__ = True
        definition = model if isinstance(model, ModelDefinition) else ModelDefinition.from_dataclass(model)
        target = theorydb_client if client is None else client
        name = table_options.pop("table_name", None) or definition.table_name
        if shared:
            name = f"{name}-{suffix}"
        create_table(definition, client=target, table_name=name)
        if shared or client is not None:
            made.append((definition, name, target))
        return Table(definition, client=target, table_name=name, **table_options)

    yield make
    for definition, name, target in made:
        delete_table(definition, client=target, table_name=name, missing_ok=True)


def skip_for_marker(item: pytest.Item) -> None:
    """Mark ``item`` skipped when its ``theorydb(skip_on=...)`` names the backend it would run on.

    Called at collection, so the skip points at the test. A marker that cannot be used is remembered and
    fails that test when it is set up (``fail_for_marker``); the other tests run.
    """
    try:
        mark = marker_for(item)
    except MarkerError as err:
        item.stash[MARKER_ERROR] = str(err)
        return
    if not mark.skip_on:
        return
    backend = mark.backend or _settings(item.config).backend
    if backend in mark.skip_on:
        item.add_marker(pytest.mark.skip(reason=mark.reason or f"not supported on the {backend} backend"))


def fail_for_marker(item: pytest.Item) -> None:
    """Fail ``item`` at setup, in one line, when its ``theorydb`` marker could not be used."""
    problem = item.stash.get(MARKER_ERROR, None)
    if problem is not None:
        pytest.fail(problem, pytrace=False)


def unreachable_report(config: pytest.Config) -> list[str]:
    """The endpoints this session could not reach, once each, for the terminal summary."""
    return [f"theorydb: {reason}" for reason in config.stash.get(UNREACHABLE, {}).values()]
