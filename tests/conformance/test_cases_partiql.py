"""PartiQL: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction against DynamoDB Local.

Hand-written cases for each part of the dialect (projections, every WHERE operator, ORDER BY, paging, every
literal and parameter type, INSERT/UPDATE/DELETE with RETURNING, the error messages), then a Hypothesis family
generating SELECTs (random projections, conditions and parameter types) on a seeded table. Statements name
tables as ``"pq"`` (double-quoted), which the harness maps to each backend's table.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.conformance.conftest import DiffFactory
from tests.conformance.harness import B, Call, Case, Differential, N, S, call, run_case, table_spec

V = "ValidationException"
PQ = table_spec(
    "pq",
    ("pk", "S"),
    ("sk", "N"),
    extra_attributes=[("gk", "S")],
    gsis=[
        {
            "IndexName": "by-gk",
            "KeySchema": [
                {"AttributeName": "gk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
)
PH = table_spec("ph", ("pk", "S"))

SEED_ITEMS: list[dict[str, Any]] = [
    {
        "pk": S("a"),
        "sk": N(i),
        "gk": S(f"g{i % 2}"),
        "x": N(i * 10),
        "s": S(f"str{i}"),
        "m": {"M": {"q": S(f"v{i}"), "n": N(i)}},
        "l": {"L": [N(i), S("two")]},
        "ss": {"SS": ["a", f"b{i}"]},
    }
    for i in range(5)
] + [
    {"pk": S("b"), "sk": N(1), "x": {"NULL": True}, "flag": {"BOOL": True}, "bin": B(b"\x01\x02")},
    {"pk": S("b"), "sk": N(2), "x": S("text"), "ns": {"NS": ["1", "2.5"]}},
    {"pk": S("c"), "sk": N(1)},
]


def es(statement: str, expect: str | tuple[str, str] | None = "ok", **more: Any) -> Call:
    return call("execute_statement", expect, Statement=statement, **more)


def esu(statement: str, expect: str | tuple[str, str] | None = "ok", **more: Any) -> Call:
    """A statement whose answer's order DynamoDB does not promise (a Scan, several partitions)."""
    return call("execute_statement", expect, unordered=True, Statement=statement, **more)


SEED = [call("put_item", TableName="pq", Item=item) for item in SEED_ITEMS]

SELECTS = [
    Case(
        "projections",
        [
            *SEED,
            es("SELECT * FROM \"pq\" WHERE pk = 'a'"),
            es("SELECT pk, m.q, l[1], m.n FROM \"pq\" WHERE pk = 'a' AND sk > 2"),
            es('SELECT "pk", "m"."q" FROM "pq" WHERE "pk" = \'a\' AND "sk" = 1'),
            es("SELECT m['q'] FROM \"pq\" WHERE pk = 'a' AND sk = 1"),
            es("SELECT m.zz, l[7] FROM \"pq\" WHERE pk = 'a' AND sk = 1"),
            es("SELECT pk, pk FROM \"pq\" WHERE pk = 'a'", (V, "Duplicate identifiers")),
            es("SELECT m, m.q FROM \"pq\" WHERE pk = 'a'", (V, "overlap")),
            es("SELECT m.l[0], l[0].z, m.l FROM \"pq\" WHERE pk = 'a'", (V, "overlap")),
            es('SELECT COUNT(*) FROM "pq"', (V, "Unexpected path component")),
            es('SELECT *, pk FROM "pq"', (V, "well formed")),
        ],
        [PQ],
    ),
    Case(
        "where operators",
        [
            *SEED,
            esu('SELECT pk, sk FROM "pq" WHERE x = 10'),
            esu('SELECT pk, sk FROM "pq" WHERE x <> 10'),
            esu('SELECT pk, sk FROM "pq" WHERE x != 10'),
            esu('SELECT pk, sk FROM "pq" WHERE x < 25 AND x >= 10'),
            esu("SELECT pk, sk FROM \"pq\" WHERE x <= 20 OR s > 'str3'"),
            esu('SELECT pk, sk FROM "pq" WHERE x BETWEEN 10 AND 30'),
            esu("SELECT pk, sk FROM \"pq\" WHERE x IN [0, 40, 'text']"),
            esu('SELECT pk, sk FROM "pq" WHERE x IN (0, 40)'),
            esu('SELECT pk, sk FROM "pq" WHERE NOT (x = 10)'),
            esu('SELECT pk, sk FROM "pq" WHERE NOT x < 25'),
            esu('SELECT pk, sk FROM "pq" WHERE (x = 10 OR x = 20) AND NOT sk = 2'),
            esu('SELECT pk, sk FROM "pq" WHERE x IS MISSING'),
            esu('SELECT pk, sk FROM "pq" WHERE x IS NOT MISSING'),
            esu('SELECT pk, sk FROM "pq" WHERE x IS NULL'),
            esu('SELECT pk, sk FROM "pq" WHERE x IS NOT NULL'),
            esu('SELECT pk, sk FROM "pq" WHERE x = null'),
            esu("SELECT pk, sk FROM \"pq\" WHERE begins_with(s, 'str') AND NOT begins_with(s, 'str1')"),
            esu("SELECT pk, sk FROM \"pq\" WHERE contains(ss, 'b3') OR contains(s, 'tex')"),
            esu('SELECT pk, sk FROM "pq" WHERE contains(l, 2)'),
            esu("SELECT pk, sk FROM \"pq\" WHERE attribute_type(x, 'NULL') OR attribute_type(x, 'S')"),
            esu('SELECT pk, sk FROM "pq" WHERE size(l) = 2 AND size(s) > 3'),
            esu('SELECT pk, sk FROM "pq" WHERE attribute_exists(flag) OR attribute_not_exists(m)'),
            esu('SELECT pk, sk FROM "pq" WHERE m.n >= 2 AND l[0] < 4'),
            esu('SELECT pk, sk FROM "pq" WHERE flag = true'),
            esu("SELECT pk, sk FROM \"pq\" WHERE s = 'it''s'"),
            esu('SELECT pk, sk FROM "pq" WHERE x = 1.0e1'),
            esu("SELECT pk, sk FROM \"pq\" WHERE BEGINS_WITH(s, 'str') and X = 10"),
            esu("select pk from \"pq\" where pk = 'c';"),
            esu("SELECT pk FROM \"pq\" WHERE pk = 'c' -- a comment"),
            es('SELECT pk FROM "pq" WHERE exists(x)', (V, "Unrecognized function")),
            es('SELECT pk FROM "pq" WHERE nosuch(x)', (V, "Unrecognized function")),
            es('SELECT pk FROM "pq" WHERE x = x', (V, "distinct")),
            es('SELECT pk FROM "pq" WHERE x + 1 = 2', (V, "Unsupported operator")),
            es('SELECT pk FROM "pq" WHERE x = MISSING', (V, "MISSING")),
            es('SELECT pk FROM "pq" WHERE x IN []', (V, "IN operator")),
            es('SELECT pk FROM "pq" WHERE x BETWEEN 2 AND 1', (V, "BETWEEN")),
            es("SELECT pk FROM \"pq\" WHERE attribute_type(x, 'BAD')", (V, "type name")),
            es('SELECT pk FROM "pq" WHERE l[-1] = 1', (V, "List index")),
            es('SELECT pk FROM "pq" WHERE x = 123456789012345678901234567890123456789', (V, "precision")),
            es('SELECT pk FROM "pq" WHERE', (V, "well formed")),
            es('SELEC * FROM "pq"', (V, "well formed")),
        ],
        [PQ],
    ),
    Case(
        "key-pinned selects and ORDER BY",
        [
            *SEED,
            es("SELECT sk FROM \"pq\" WHERE pk = 'a'"),
            es("SELECT sk FROM \"pq\" WHERE pk = 'a' AND sk BETWEEN 1 AND 3"),
            es("SELECT sk FROM \"pq\" WHERE pk = 'a' AND sk >= 3"),
            es("SELECT sk FROM \"pq\" WHERE pk = 'a' AND sk < 2 AND x = 10"),
            es("SELECT sk FROM \"pq\" WHERE pk = 'a' AND sk <> 2"),
            es("SELECT pk, sk FROM \"pq\" WHERE pk = 'a' ORDER BY sk DESC"),
            es("SELECT pk, sk FROM \"pq\" WHERE pk = 'a' ORDER BY sk ASC"),
            es("SELECT pk, sk FROM \"pq\" WHERE pk = 'a' ORDER BY pk, sk"),
            esu("SELECT pk, sk FROM \"pq\" WHERE pk IN ['a', 'c']"),
            esu("SELECT pk, sk FROM \"pq\" WHERE pk = 'b' OR pk = 'c'"),
            es("SELECT sk FROM \"pq\" WHERE pk = 'zz'"),
            es('SELECT sk FROM "pq" ORDER BY sk', (V, "WHERE clause")),
            es('SELECT sk FROM "pq" WHERE sk = 1 ORDER BY sk', (V, "hash key condition")),
            es("SELECT pk, sk FROM \"pq\" WHERE pk = 'a' ORDER BY x", (V, "primary key")),
            es('SELECT sk FROM "pq" WHERE pk = 1', (V, "data type")),
            es("SELECT sk FROM \"pq\" WHERE pk = 'a' AND sk > 'x'", (V, "data type")),
            es("SELECT sk FROM \"pq\" WHERE pk = 'a' AND sk BETWEEN 3 AND 1", (V, "BETWEEN")),
            es("SELECT sk FROM \"pq\" WHERE pk = 'a' AND begins_with(sk, 1)", None),
            es(
                'SELECT sk FROM "pq" WHERE pk = ? AND sk BETWEEN ? AND ? AND x > ?',
                Parameters=[S("a"), N(1), N(3), N(5)],
            ),
        ],
        [PQ],
    ),
    Case(
        "indexes",
        [
            *SEED,
            es('SELECT pk, sk FROM "pq"."by-gk" WHERE gk = \'g1\''),
            es('SELECT pk, sk FROM "pq"."by-gk" WHERE gk = \'g0\' ORDER BY sk'),
            es('SELECT pk, sk FROM "pq"."by-gk" WHERE gk = \'g0\' AND sk > 1'),
            es('SELECT * FROM "pq"."nope"', (V, "does not have the specified index")),
            es('SELECT * FROM "pq"."by-gk" WHERE gk = \'g1\'', (V, "Consistent reads"), ConsistentRead=True),
            es('SELECT * FROM "missing-table"', "ResourceNotFoundException"),
            es("SELECT * FROM pq", (V, "Table name")),
        ],
        [PQ],
    ),
    Case(
        "paging",
        [
            *SEED,
            es("SELECT sk FROM \"pq\" WHERE pk = 'a'", Limit=2),
            es("SELECT sk FROM \"pq\" WHERE pk = 'a'", Limit=5),
            es("SELECT sk FROM \"pq\" WHERE pk = 'a'", Limit=6),
            es("SELECT sk FROM \"pq\" WHERE pk = 'a' AND x > 15", Limit=3),
            es("SELECT pk, sk FROM \"pq\" WHERE pk = 'a' ORDER BY sk DESC", Limit=2),
            esu('SELECT pk FROM "pq"', Limit=20),
        ],
        [PQ],
    ),
    Case(
        "parameters",
        [
            *SEED,
            es('SELECT sk FROM "pq" WHERE pk = ? AND sk = ?', Parameters=[S("a"), N(3)]),
            esu('SELECT pk, sk FROM "pq" WHERE flag = ?', Parameters=[{"BOOL": True}]),
            esu('SELECT pk, sk FROM "pq" WHERE x = ?', Parameters=[{"NULL": True}]),
            esu('SELECT pk, sk FROM "pq" WHERE bin = ?', Parameters=[B(b"\x01\x02")]),
            esu('SELECT pk, sk FROM "pq" WHERE ns = ?', Parameters=[{"NS": ["2.5", "1"]}]),
            esu('SELECT pk, sk FROM "pq" WHERE l = ?', Parameters=[{"L": [N(1), S("two")]}]),
            esu('SELECT pk, sk FROM "pq" WHERE m = ?', Parameters=[{"M": {"q": S("v2"), "n": N(2)}}]),
            esu('SELECT pk, sk FROM "pq" WHERE x IN [?, ?]', Parameters=[N(10), S("text")]),
            es('SELECT sk FROM "pq" WHERE pk = ?', (V, "Number of parameters")),
            es(
                'SELECT sk FROM "pq" WHERE pk = ? AND sk = ?',
                (V, "Number of parameters"),
                Parameters=[S("a")],
            ),
            es('SELECT sk FROM "pq" WHERE pk = ?', (V, "data type"), Parameters=[N(1)]),
            # DynamoDB Local ignores surplus parameters; the service refuses them (allow-listed).
            es('SELECT sk FROM "pq" WHERE pk = ?', Parameters=[S("c"), S("extra")]),
            es('SELECT sk FROM "pq" WHERE pk = ?', Parameters=[S("a")], ReturnConsumedCapacity="TOTAL"),
        ],
        [PQ],
    ),
]

WRITES = [
    Case(
        "insert",
        [
            es(
                "INSERT INTO \"ph\" VALUE {'pk': 'n1', 'a': 1, 'b': true, 'c': null, 'd': [1, 'x', [2]], "
                "'e': {'f': 2, 'g': {'h': 'i'}}, 'ss': <<'s1', 's2'>>, 'ns': <<1, 2.50>>, 'empty': ''}"
            ),
            es("SELECT * FROM \"ph\" WHERE pk = 'n1'"),
            es("INSERT INTO \"ph\" VALUE {'pk': 'n1'}", "DuplicateItem"),
            es("INSERT INTO \"ph\" VALUE {'x': 'n2'}", (V, "Key attribute should be present")),
            es("INSERT INTO \"ph\" VALUE {'pk': 2}", (V, "data type")),
            es("INSERT INTO \"ph\" VALUE {'pk': ''}", (V, "empty string")),
            es("INSERT INTO \"ph\" VALUE {'pk': 'n3'} RETURNING ALL OLD *", (V, "RETURNING")),
            es("INSERT INTO \"ph\" VALUE {'pk': 'n4', 'pk': 'n5'}", (V, "Duplicate keys")),
            es("INSERT INTO \"ph\" VALUE {'pk': 'n6', 's': <<>>}", (V, "Empty bags")),
            es("INSERT INTO \"ph\" VALUE {'pk': 'n6', 's': <<'a', 1>>}", (V, "Bag")),
            es("INSERT INTO \"ph\" VALUE {'pk': 'n6', 's': <<'a', 'a'>>}", (V, "duplicates")),
            es('INSERT INTO "ph" VALUE ?', (V, "struct format"), Parameters=[{"M": {"pk": S("p")}}]),
            es("insert into \"ph\" value {'pk': ?, 'v': ?}", Parameters=[S("p1"), B(b"\x00")]),
            es('SELECT * FROM "ph" WHERE pk = ?', Parameters=[S("p1")]),
            es("INSERT INTO \"ph\" VALUE {'pk': 'n7'}", ReturnConsumedCapacity="TOTAL"),
            es("INSERT INTO \"missing-table\" VALUE {'pk': 'n7'}", "ResourceNotFoundException"),
        ],
        [PH],
    ),
    Case(
        "update",
        [
            call("put_item", TableName="ph", Item={"pk": S("h1"), "v": S("x"), "ss": {"SS": ["a", "b"]}}),
            es("UPDATE \"ph\" SET v = 'y' WHERE pk = 'h1'"),
            es("UPDATE \"ph\" SET v = 'z' WHERE pk = 'h1' RETURNING ALL OLD *"),
            es("UPDATE \"ph\" SET v = 'w', n = 5 WHERE pk = 'h1' RETURNING MODIFIED NEW *"),
            es("UPDATE \"ph\" SET n = n + 2 WHERE pk = 'h1' RETURNING MODIFIED OLD *"),
            es("UPDATE \"ph\" SET n = n - 1 WHERE pk = 'h1' RETURNING ALL NEW *"),
            es("UPDATE \"ph\" REMOVE v WHERE pk = 'h1' RETURNING ALL NEW *"),
            es("UPDATE \"ph\" SET ss = set_add(ss, <<'c'>>) WHERE pk = 'h1' RETURNING ALL NEW *"),
            es("UPDATE \"ph\" SET ss = set_delete(ss, <<'a'>>) WHERE pk = 'h1' RETURNING ALL NEW *"),
            es("UPDATE \"ph\" SET l = list_append(l, [1]) WHERE pk = 'h1'", (V, "does not exist")),
            es("UPDATE \"ph\" SET l = list_append([0], [1]) WHERE pk = 'h1' RETURNING ALL NEW *"),
            es("UPDATE \"ph\" SET l = list_append(l, [2, 'x']) WHERE pk = 'h1' RETURNING MODIFIED NEW *"),
            es("UPDATE \"ph\" SET m = {'a': {'b': 1}} WHERE pk = 'h1'"),
            es("UPDATE \"ph\" SET m.a.b = 2 SET l[0] = 9 WHERE pk = 'h1' RETURNING ALL NEW *"),
            es('UPDATE "ph" SET v = ? WHERE pk = ? RETURNING MODIFIED NEW *', Parameters=[N(7), S("h1")]),
            es("UPDATE \"ph\" SET v = 'q' WHERE pk = 'nope'", "ConditionalCheckFailedException"),
            es("UPDATE \"ph\" SET v = 'q' WHERE pk = 'h1' AND n = 99", "ConditionalCheckFailedException"),
            es(
                "UPDATE \"ph\" SET v = 'q' WHERE pk = 'h1' AND n = 99",
                "ConditionalCheckFailedException",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            ),
            es("UPDATE \"ph\" SET v = 'q' WHERE pk = 'h1' AND n = 6 RETURNING MODIFIED OLD *"),
            es("UPDATE \"ph\" SET v = 'q' WHERE v = 'x'", (V, "mandatory equality")),
            es("UPDATE \"ph\" SET pk = 'q' WHERE pk = 'h1'", (V, "part of the key")),
            es("UPDATE \"ph\" SET zz.x = 1 WHERE pk = 'h1'", (V, "document path")),
            es("UPDATE \"ph\" SET n = n + 'a' WHERE pk = 'h1'", V),
            es("UPDATE \"ph\" SET v = 'r' WHERE pk = 'h1'", ReturnConsumedCapacity="TOTAL"),
        ],
        [PH],
    ),
    Case(
        "delete",
        [
            call("put_item", TableName="ph", Item={"pk": S("d1"), "a": N(1)}),
            call("put_item", TableName="ph", Item={"pk": S("d2"), "a": N(2)}),
            es("DELETE FROM \"ph\" WHERE pk = 'd1' AND a = 5", "ConditionalCheckFailedException"),
            es("DELETE FROM \"ph\" WHERE pk = 'd1' RETURNING ALL OLD *"),
            es("DELETE FROM \"ph\" WHERE pk = 'd1'"),
            es("DELETE FROM \"ph\" WHERE pk = 'd1' RETURNING ALL OLD *"),
            # The service evaluates the condition against the missing item; DynamoDB Local skips it.
            es("DELETE FROM \"ph\" WHERE pk = 'd1' AND a = 1"),
            es('DELETE FROM "ph" WHERE pk = ? AND a = ?', Parameters=[S("d2"), N(2)]),
            es('DELETE FROM "ph" WHERE a = 5', (V, "mandatory equality")),
            es("DELETE FROM \"ph\" WHERE pk = 'd2' OR a <= null", (V, "operand type")),
            es("UPDATE \"ph\" SET a = 1 WHERE pk = 'd2' OR a BETWEEN 2 AND 1", (V, "BETWEEN")),
            es("DELETE FROM \"ph\" WHERE pk = 'd2' RETURNING ALL NEW *", (V, "returning clause")),
            es("DELETE FROM \"pq\" WHERE pk = 'a'", (V, "mandatory equality")),
            es("EXISTS(SELECT * FROM \"ph\" WHERE pk = 'd2')", (V, "EXISTS")),
            es("SELECT * FROM \"ph\" WHERE pk = 'd1' RETURNING ALL OLD *", (V, "well formed")),
            call("scan", TableName="ph", unordered=True),
        ],
        [PH, PQ],
    ),
]


@pytest.mark.parametrize("case", SELECTS + WRITES, ids=lambda case: case.name)
def test_execute_statement(diff: Differential, case: Case) -> None:
    run_case(diff, case)


# ------------------------------------------------------------------------------------------ generated

RUN = settings(
    max_examples=60,
    deadline=None,
    derandomize=os.environ.get("THEORYDB_CONFORMANCE_EXPLORE") != "1",
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Conditions on key attributes are hand-written above (DynamoDB Local turns some into key conditions).
_CONDITION_PATHS = ["x", "s", "m", "m.q", "m.n", "l", "l[0]", "l[1]", "ss", "flag", "ns", "bin", "nope"]
_PATHS = ["pk", "sk", *_CONDITION_PATHS]
_VALUES: list[dict[str, Any]] = [
    S("a"),
    S("str2"),
    S("text"),
    S(""),
    N(0),
    N(10),
    N("2.5"),
    N(-1),
    {"BOOL": True},
    {"NULL": True},
    B(b"\x01\x02"),
    {"SS": ["a", "b1"]},
    {"NS": ["1", "2.5"]},
    {"L": [N(1), S("two")]},
    {"M": {"q": S("v1"), "n": N(1)}},
]
_LITERALS = ["'a'", "'str2'", "10", "-1", "2.5", "true", "null", "'text'", "[1, 'two']", "<<'a', 'b1'>>"]


@st.composite
def _operand(draw: st.DrawFn, params: list[dict[str, Any]]) -> str:
    if draw(st.booleans()):
        params.append(draw(st.sampled_from(_VALUES)))
        return "?"
    return draw(st.sampled_from(_LITERALS))


@st.composite
def _condition(draw: st.DrawFn, params: list[dict[str, Any]], depth: int = 0) -> str:
    choice = draw(st.integers(0, 9 if depth < 2 else 6))
    path = draw(st.sampled_from(_CONDITION_PATHS))
    if choice <= 2:
        op = draw(st.sampled_from(["=", "<>", "<", "<=", ">", ">="]))
        return f"{path} {op} {draw(_operand(params))}"
    if choice == 3:
        return f"{path} IS {draw(st.sampled_from(['', 'NOT ']))}{draw(st.sampled_from(['MISSING', 'NULL']))}"
    if choice == 4:
        fn = draw(st.sampled_from(["begins_with", "contains"]))
        return f"{fn}({path}, {draw(_operand(params))})"
    if choice == 5:
        kind = draw(st.sampled_from(["S", "N", "M", "L", "NULL", "BOOL", "SS"]))
        return f"attribute_type({path}, '{kind}')"
    if choice == 6:
        return f"size({path}) {draw(st.sampled_from(['=', '>', '<=']))} {draw(st.integers(0, 3))}"
    if choice == 7:
        joiner = draw(st.sampled_from(["AND", "OR"]))
        return f"({draw(_condition(params, depth + 1))}) {joiner} {draw(_condition(params, depth + 1))}"
    if choice == 8:
        return f"NOT {draw(_condition(params, depth + 1))}"
    first, second = draw(_operand(params)), draw(_operand(params))
    return f"{path} IN [{first}, {second}]"


def _top_level(path: str) -> str:
    return path.split(".")[0].split("[")[0]


@st.composite
def _select(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]], bool]:
    params: list[dict[str, Any]] = []
    projection = "*"
    if draw(st.booleans()):
        # Paths on distinct attributes: overlapping projections are hand-written above (DynamoDB Local names
        # an unrelated path in some of those messages).
        chosen = draw(st.lists(st.sampled_from(_PATHS), min_size=1, max_size=4, unique_by=_top_level))
        projection = ", ".join(chosen)
    where = draw(_condition(params))
    pinned = draw(st.booleans())
    if pinned:
        where = f"pk = 'a' AND ({where})"
    return f'SELECT {projection} FROM "pq" WHERE {where}', params, not pinned


def test_generated_selects(make_diff: DiffFactory) -> None:
    with make_diff("partiql-generated") as diff:
        diff.create_table(setup=True, **PQ)
        for item in SEED_ITEMS:
            diff.call("put_item", TableName="pq", Item=item)

        @RUN
        @given(_select())
        def check(drawn: tuple[str, list[dict[str, Any]], bool]) -> None:
            statement, params, unordered = drawn
            request: dict[str, Any] = {"Statement": statement}
            if params:
                request["Parameters"] = params
            diff.call("execute_statement", unordered=unordered, **request)

        check()


# ------------------------------------------------------------------------------------------ transactions


def st_(statement: str, parameters: list[dict[str, Any]] | None = None, **more: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"Statement": statement, **more}
    if parameters is not None:
        entry["Parameters"] = parameters
    return entry


def tx(*statements: dict[str, Any], expect: str | tuple[str, str] | None = "ok", **more: Any) -> Call:
    return call("execute_transaction", expect, TransactStatements=list(statements), **more)


def bx(*statements: dict[str, Any], expect: str | tuple[str, str] | None = "ok", **more: Any) -> Call:
    return call("batch_execute_statement", expect, Statements=list(statements), **more)


TC = "TransactionCanceledException"
TOKEN = f"partiql-{uuid.uuid4().hex[:12]}"  # DynamoDB Local keeps client tokens across tables
PH_SEED = [
    call("put_item", TableName="ph", Item={"pk": S("t1"), "a": N(1)}),
    call("put_item", TableName="ph", Item={"pk": S("h1"), "v": S("x"), "ss": {"SS": ["a", "b"]}}),
]
SCAN_PH = call("scan", TableName="ph", unordered=True)

TRANSACTIONS = [
    Case(
        "transaction writes",
        [
            *PH_SEED,
            tx(
                st_("INSERT INTO \"ph\" VALUE {'pk': 'n1', 'a': 1}"),
                st_("UPDATE \"ph\" SET v = 'n' WHERE pk = 'h1'"),
            ),
            tx(
                st_("DELETE FROM \"ph\" WHERE pk = 'n1'"),
                st_('UPDATE "ph" SET a = a + ? WHERE pk = ?', [N(2), S("t1")]),
                st_("EXISTS(SELECT * FROM \"ph\" WHERE pk = 'h1' AND v = 'n')"),
            ),
            SCAN_PH,
            tx(
                st_("INSERT INTO \"ph\" VALUE {'pk': 't1'}"),
                st_("UPDATE \"ph\" SET v = 'q' WHERE pk = 'h1'"),
                expect=TC,
            ),
            tx(
                st_("INSERT INTO \"ph\" VALUE {'pk': 'n2'}"),
                st_("UPDATE \"ph\" SET v = 'q' WHERE pk = 'no'"),
                expect=TC,
            ),
            tx(
                st_("EXISTS(SELECT * FROM \"ph\" WHERE pk = 't1' AND a = 99)"),
                st_("INSERT INTO \"ph\" VALUE {'pk': 'n3'}"),
                expect=TC,
            ),
            tx(
                st_(
                    "UPDATE \"ph\" SET v = 'q' WHERE pk = 'h1' AND v = 'zz'",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                ),
                expect=TC,
            ),
            tx(st_("UPDATE \"ph\" SET pk = 'z' WHERE pk = 'h1'"), expect=TC),
            tx(st_('SELECT * FROM "ph" WHERE pk = 1'), expect=TC),
            tx(
                st_("INSERT INTO \"ph\" VALUE {'pk': 'n5'}"),
                st_("DELETE FROM \"ph\" WHERE pk = 'n5'"),
                expect=V,
            ),
            tx(
                st_("SELECT * FROM \"ph\" WHERE pk = 't1'"),
                st_("DELETE FROM \"ph\" WHERE pk = 't1'"),
                expect=V,
            ),
            tx(st_("UPDATE \"ph\" SET v = 'x' WHERE pk = 'h1' RETURNING ALL NEW *"), expect=(V, "RETURNING")),
            tx(st_("EXISTS(SELECT * FROM \"ph\" WHERE pk = 't1')"), expect=(V, "EXISTS")),
            tx(st_("INSERT INTO \"ph\" VALUE {'pk': ?}"), expect=(V, "Number of parameters")),
            tx(st_("INSERT INTO \"missing-table\" VALUE {'pk': 'x'}"), expect="ResourceNotFoundException"),
            tx(st_("INSERT INTO \"ph\" VALUE {'pk': 'n7'}"), ReturnConsumedCapacity="TOTAL"),
            tx(
                st_("UPDATE \"ph\" SET v = 'w' WHERE pk = 'h1' AND v = 'n'"), ReturnConsumedCapacity="INDEXES"
            ),
            SCAN_PH,
            # These leave DynamoDB Local's table unlike the service's (allow-listed), so they come last.
            tx(st_("DELETE FROM \"ph\" WHERE pk = 'zz' AND a = 1")),
            tx(st_("INSERT INTO \"ph\" VALUE {'pk': ?}", [S("n6"), S("extra")])),
        ],
        [PH],
    ),
    Case(
        "transaction client token",
        [
            tx(st_("INSERT INTO \"ph\" VALUE {'pk': ?}", [S("k1")]), ClientRequestToken=TOKEN),
            tx(st_("INSERT INTO \"ph\" VALUE {'pk': ?}", [S("k1")]), ClientRequestToken=TOKEN),
            tx(
                st_("INSERT INTO \"ph\" VALUE {'pk': ?}", [S("k2")]),
                ClientRequestToken=TOKEN,
                expect="IdempotentParameterMismatchException",
            ),
            SCAN_PH,
        ],
        [PH],
    ),
    Case(
        "transaction reads",
        [
            *PH_SEED,
            tx(
                st_("SELECT * FROM \"ph\" WHERE pk = 't1'"),
                st_('SELECT pk, ss FROM "ph" WHERE pk = ?', [S("h1")]),
                st_("SELECT * FROM \"ph\" WHERE pk = 'zz'"),
            ),
            tx(st_("SELECT a, zz FROM \"ph\" WHERE pk = 't1'")),
            tx(st_("SELECT * FROM \"ph\" WHERE pk = 't1' AND a = 2"), expect=(V, "primary key")),
            tx(st_('SELECT * FROM "ph" WHERE a = 2'), expect=(V, "primary key")),
            tx(
                st_("SELECT * FROM \"ph\" WHERE pk = 't1'"),
                st_("SELECT * FROM \"ph\" WHERE pk = 't1'"),
                expect=V,
            ),
            tx(st_('SELECT * FROM "ph" WHERE pk = ?'), expect=(V, "Number of parameters")),
            tx(st_("SELECT * FROM \"missing-table\" WHERE pk = 'x'"), expect="ResourceNotFoundException"),
            tx(st_("SELECT * FROM \"ph\" WHERE pk = 't1'"), ReturnConsumedCapacity="TOTAL"),
        ],
        [PH],
    ),
]

BATCHES = [
    Case(
        "batch writes",
        [
            *PH_SEED,
            call("put_item", TableName="ph", Item={"pk": S("b5"), "a": N(1)}),
            bx(
                st_("INSERT INTO \"ph\" VALUE {'pk': 'b2'}"),
                st_("UPDATE \"ph\" SET v = 'r' WHERE pk = 'h1' RETURNING ALL NEW *"),
                st_(
                    "UPDATE \"ph\" SET v = 'q' WHERE pk = 't1' AND v = 'zz'",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                ),
                st_("INSERT INTO \"ph\" VALUE {'pk': 'b5'}"),
                st_("DELETE FROM \"ph\" WHERE pk = 'b6'"),
                st_("INSERT INTO \"missing-table\" VALUE {'pk': 'x'}"),
                st_("UPDATE \"ph\" SET v = 'q' WHERE v = 'x'"),
                st_("SELEC"),
                st_("UPDATE \"ph\" SET v = 'q' WHERE pk = 'nope'"),
                st_("INSERT INTO \"ph\" VALUE {'pk': 1}"),
                st_("EXISTS(SELECT * FROM \"ph\" WHERE pk = 'b9' AND a = 1)"),
            ),
            SCAN_PH,
            bx(
                st_("SELECT * FROM \"ph\" WHERE pk = 't1'"),
                st_("INSERT INTO \"ph\" VALUE {'pk': 'q'} RETURNING ALL OLD *"),
                expect=V,
            ),
            bx(st_("INSERT INTO \"ph\" VALUE {'pk': 'b8'}"), ReturnConsumedCapacity="TOTAL"),
            SCAN_PH,
            # These leave DynamoDB Local's table unlike the service's (allow-listed), so they come last.
            bx(
                st_("DELETE FROM \"ph\" WHERE pk = 'b7' AND a = 1"), st_("DELETE FROM \"ph\" WHERE pk = 'b8'")
            ),
            bx(st_("INSERT INTO \"ph\" VALUE {'pk': ?}", [S("b3"), S("surplus")])),
            # DynamoDB Local runs the DELETE before it refuses the batch: nothing may follow this one.
            bx(
                st_("UPDATE \"ph\" SET v = 'r' WHERE pk = 'h1'"),
                st_("DELETE FROM \"ph\" WHERE pk = 'h1'"),
                expect=(V, "duplicates"),
            ),
        ],
        [PH],
    ),
    Case(
        "batch reads",
        [
            *SEED,
            *[call("put_item", TableName="ph", Item=item["Item"]) for item in (c.request for c in PH_SEED)],
            bx(
                st_("SELECT * FROM \"ph\" WHERE pk = 't1'"),
                st_("SELEC"),
                st_('SELECT * FROM "ph" WHERE pk = ?'),
                st_("SELECT * FROM \"missing-table\" WHERE pk = 'x'"),
                st_('SELECT * FROM "ph" WHERE pk = 1'),
                st_("SELECT a FROM \"ph\" WHERE pk = 'h1'"),
                st_("SELECT * FROM \"ph\" WHERE pk = 'h3'", ConsistentRead=True),
                st_("SELECT pk, m.q, l[1] FROM \"pq\" WHERE pk = 'a' AND sk = 1"),
                st_("SELECT * FROM \"pq\" WHERE pk = 'a'"),
                st_("SELECT * FROM \"pq\" WHERE pk = 'a' AND sk = 2 AND x = 20"),
                st_("SELECT m, m.q FROM \"pq\" WHERE pk = 'a' AND sk = 3"),
                st_("SELECT pk, pk FROM \"pq\" WHERE pk = 'a' AND sk = 4"),
                st_("EXISTS(SELECT * FROM \"ph\" WHERE pk = 't2' AND a = 1)"),
            ),
            bx(
                st_("SELECT * FROM \"ph\" WHERE pk = 't1'"),
                st_('SELECT * FROM "ph" WHERE pk = ?', [S("t1")]),
                expect=V,
            ),
            bx(st_("SELECT * FROM \"ph\" WHERE pk = 't1'"), ReturnConsumedCapacity="TOTAL"),
        ],
        [PQ, PH],
    ),
]


@pytest.mark.parametrize("case", TRANSACTIONS + BATCHES, ids=lambda case: case.name)
def test_transactions_and_batches(diff: Differential, case: Case) -> None:
    run_case(diff, case)


_SET_TARGETS = ["x", "s", "m.q", "m.n", "l[0]", "l[5]", "newattr", "m.deep.er"]


@st.composite
def _write(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]]]:
    """A random UPDATE, DELETE or INSERT on a seeded item (or a missing one), with random values."""
    params: list[dict[str, Any]] = []
    sk = draw(st.integers(0, 6))
    key = f"pk = 'a' AND sk = {sk}"
    kind = draw(st.sampled_from(["update", "update", "delete", "insert"]))
    if kind == "insert":
        value = draw(_operand(params))
        return f"INSERT INTO \"pq\" VALUE {{'pk': 'a', 'sk': {sk}, 'v': {value}}}", params
    condition = f" AND ({draw(_condition(params))})" if draw(st.booleans()) else ""
    if kind == "delete":
        return f'DELETE FROM "pq" WHERE {key}{condition} RETURNING ALL OLD *', params
    actions = []
    for target in draw(st.lists(st.sampled_from(_SET_TARGETS), min_size=1, max_size=3, unique=True)):
        choice = draw(st.integers(0, 4))
        if choice == 0:
            actions.append(f"REMOVE {target}")
        elif choice == 1:
            actions.append(f"SET {target} = {target} + {draw(_operand(params))}")
        elif choice == 2:
            # A ? inside a list is refused; the hand-written cases pin that message and its order.
            actions.append(f"SET {target} = list_append({target}, [{draw(st.sampled_from(_LITERALS))}])")
        else:
            actions.append(f"SET {target} = {draw(_operand(params))}")
    returning = draw(
        st.sampled_from(["", " RETURNING ALL OLD *", " RETURNING MODIFIED NEW *", " RETURNING ALL NEW *"])
    )
    return f'UPDATE "pq" {" ".join(actions)} WHERE {key}{condition}{returning}', params


def test_generated_writes(make_diff: DiffFactory) -> None:
    with make_diff("partiql-generated") as diff:
        diff.create_table(setup=True, **PQ)
        for item in SEED_ITEMS:
            diff.call("put_item", TableName="pq", Item=item)

        @RUN
        @given(_write())
        def check(drawn: tuple[str, list[dict[str, Any]]]) -> None:
            statement, params = drawn
            request: dict[str, Any] = {"Statement": statement}
            if params:
                request["Parameters"] = params
            diff.call("execute_statement", **request)
            diff.call("execute_statement", Statement="SELECT * FROM \"pq\" WHERE pk = 'a'")

        check()
