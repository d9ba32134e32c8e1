"""The PartiQL parser (DynamoDB's dialect): recursive descent for statements, clauses and paths, a precedence
loop for ``OR``/``AND``/``NOT``. Literals become attribute values here, so a parse is static and cacheable.

Grammar (keywords in any case)::

    statement := (select | insert | update | delete | exists) [';']
    select    := SELECT ('*' | path (',' path)*) FROM source [WHERE condition]
                 [ORDER BY path (',' path)* [ASC | DESC]]
    insert    := INSERT INTO source VALUE '{' string ':' value (',' string ':' value)* '}'
    update    := UPDATE source (SET path '=' term (',' path '=' term)* | REMOVE path (',' path)*)+
                 WHERE condition [returning]
    delete    := DELETE FROM source WHERE condition [returning]
    exists    := EXISTS '(' select ')'
    returning := RETURNING (ALL | MODIFIED) (OLD | NEW) '*'
    source    := name ['.' name]
    path      := name ('.' name | '[' number ']' | '[' string ']')*
    condition := disjunct (OR disjunct)*
    disjunct  := negation (AND negation)*
    negation  := NOT negation | test
    test      := '(' condition ')' | function '(' operand (',' operand)* ')'
               | operand (comparator operand | BETWEEN operand AND operand | IN list
                          | IS [NOT] (MISSING | NULL))
    value     := string | number | TRUE | FALSE | NULL | '?'
               | '[' values ']' | '{' members '}' | '<<' values '>>

>>> parse('SELECT a, b.c FROM "t" WHERE pk = ? AND n > 2')
SELECT a, b.c FROM "t" WHERE (pk = :p0 AND n > {'N': '2'})
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator._types import AttributeValue
from theorydb_mocks.emulator.errors import DynamoDBError, validation_error
from theorydb_mocks.emulator.expressions._ast import (
    Action,
    AddAction,
    And,
    Arith,
    Between,
    Call,
    Compare,
    Condition,
    DeleteAction,
    In,
    Literal,
    Not,
    Operand,
    Or,
    Path,
    RemoveAction,
    SetAction,
    Value,
)
from theorydb_mocks.emulator.partiql._ast import (
    Delete,
    Exists,
    Insert,
    Returning,
    Select,
    Source,
    Statement,
    Update,
)
from theorydb_mocks.emulator.partiql._lexer import Token, tokenize
from theorydb_mocks.emulator.values import normalize_number

__all__ = ["parse"]

_COMPARATORS = frozenset({"=", "<>", "!=", "<", "<=", ">", ">="})
_CONDITION_FUNCTIONS = frozenset(
    {"begins_with", "contains", "attribute_type", "attribute_exists", "attribute_not_exists"}
)
_UPDATE_FUNCTIONS = frozenset({"list_append", "set_add", "set_delete", "if_not_exists"})
_RESERVED = frozenset(
    {
        "SELECT",
        "FROM",
        "WHERE",
        "AND",
        "OR",
        "NOT",
        "IN",
        "IS",
        "BETWEEN",
        "ORDER",
        "BY",
        "SET",
        "REMOVE",
        "RETURNING",
        "VALUE",
        "INTO",
        "INSERT",
        "UPDATE",
        "DELETE",
    }
)


class _Malformed(Exception):
    """The statement is not well formed (reported with the whole statement, as DynamoDB does)."""


class _Parser:
    __slots__ = ("params", "pos", "text", "tokens")

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0
        self.params = 0

    # -- tokens -------------------------------------------------------------------------------------------
    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def next(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != "EOF":
            self.pos += 1
        return token

    def keyword(self, offset: int = 0) -> str:
        token = self.peek(offset)
        return token.text.upper() if token.kind == "IDENT" else ""

    def accept_keyword(self, *words: str) -> bool:
        if self.keyword() in words:
            self.pos += 1
            return True
        return False

    def expect_keyword(self, word: str) -> None:
        if not self.accept_keyword(word):
            raise _Malformed

    def accept(self, kind: str) -> bool:
        if self.peek().kind == kind:
            self.pos += 1
            return True
        return False

    def expect(self, kind: str) -> Token:
        token = self.peek()
        if token.kind != kind:
            raise _Malformed
        self.pos += 1
        return token

    def error_at(self, message: str, token: Token) -> DynamoDBError:
        return _at(message, self.text, token.pos, token.length)

    # -- statements ---------------------------------------------------------------------------------------
    def statement(self) -> Statement:
        word = self.keyword()
        found: Statement
        if word == "SELECT":
            found = self.select()
        elif word == "INSERT":
            found = self.insert()
        elif word == "UPDATE":
            found = self.update()
        elif word == "DELETE":
            found = self.delete()
        elif word == "EXISTS":
            self.next()
            self.expect("(")
            found = Exists(self.select())
            self.expect(")")
        else:
            raise _Malformed
        self.accept(";")
        if self.peek().kind != "EOF":
            raise _Malformed
        return found

    def select(self) -> Select:
        self.expect_keyword("SELECT")
        projection: tuple[Path, ...] | None = None
        if not self.accept("*"):
            paths = [self.projected_path()]
            while self.accept(","):
                paths.append(self.projected_path())
            projection = tuple(paths)
        self.expect_keyword("FROM")
        source = self.source()
        where = self.condition() if self.accept_keyword("WHERE") else None
        order: tuple[tuple[Path, ...], bool] | None = None
        if self.accept_keyword("ORDER"):
            self.expect_keyword("BY")
            paths = [self.path()]
            while self.accept(","):
                paths.append(self.path())
            descending = self.keyword() == "DESC"
            self.accept_keyword("ASC", "DESC")
            order = (tuple(paths), descending)
        return Select(source, projection, where, order)

    def projected_path(self) -> Path:
        token = self.peek()
        if token.kind == "IDENT" and self.peek(1).kind == "(":
            raise self.error_at(M.PARTIQL_UNEXPECTED_PATH, token)
        return self.path()

    def insert(self) -> Insert:
        self.expect_keyword("INSERT")
        self.expect_keyword("INTO")
        source = self.source()
        self.expect_keyword("VALUE")
        token = self.peek()
        if token.kind != "{":
            if token.kind in ("?", "[", "<<", "STRING", "NUMBER"):
                raise self.error_at(M.PARTIQL_INSERT_FORMAT.format(), token)
            raise _Malformed
        members = tuple(
            (name, value if isinstance(value, Value) else Literal(value))
            for name, value in self.struct_members()
        )
        if self.keyword() == "RETURNING":
            raise validation_error(M.PARTIQL_RETURNING_INSERT)
        return Insert(source, members)

    def update(self) -> Update:
        self.expect_keyword("UPDATE")
        source = self.source()
        actions: list[Action] = []
        while True:
            if self.accept_keyword("SET"):
                actions.append(self.set_action())
                while self.accept(","):
                    actions.append(self.set_action())
            elif self.accept_keyword("REMOVE"):
                actions.append(RemoveAction(self.path()))
                while self.accept(","):
                    actions.append(RemoveAction(self.path()))
            else:
                break
        if not actions:
            raise _Malformed
        self.expect_keyword("WHERE")
        where = self.condition()
        return Update(source, tuple(actions), where, self.returning())

    def set_action(self) -> Action:
        target = self.path()
        self.expect("=")
        token = self.peek()
        value = self.term_sum()
        if isinstance(value, Call) and value.name in ("set_add", "set_delete"):
            first = value.args[0] if value.args else None
            if len(value.args) != 2 or first != target:
                raise self.error_at(M.PARTIQL_UNSUPPORTED_TOKEN.format(token=token.text), token)
            if value.name == "set_add":
                return AddAction(target, value.args[1])
            return DeleteAction(target, value.args[1])
        return SetAction(target, value)

    def term_sum(self) -> Operand:
        left = self.term()
        while self.peek().kind in ("+", "-"):
            op = self.next().kind
            left = Arith(op, left, self.term())
        return left

    def term(self) -> Operand:
        token = self.peek()
        if token.kind == "IDENT" and self.peek(1).kind == "(":
            name = token.text.lower()
            if name not in _UPDATE_FUNCTIONS:
                raise validation_error(M.PARTIQL_UNRECOGNIZED_FUNCTION.format(name=token.text))
            self.next()
            self.next()
            args = [self.term_sum()]
            while self.accept(","):
                args.append(self.term_sum())
            self.expect(")")
            return Call(name, tuple(args))
        return self.operand()

    def delete(self) -> Delete:
        self.expect_keyword("DELETE")
        self.expect_keyword("FROM")
        source = self.source()
        self.expect_keyword("WHERE")
        where = self.condition()
        start = self.peek()
        returning = self.returning()
        if returning is not None and (returning.which, returning.when) != ("ALL", "OLD"):
            clause = self.text[start.pos : self.peek().pos].strip()
            raise validation_error(M.PARTIQL_RETURNING_DELETE.format(clause=clause))
        return Delete(source, where, returning)

    def returning(self) -> Returning | None:
        if not self.accept_keyword("RETURNING"):
            return None
        which = self.keyword()
        if not self.accept_keyword("ALL", "MODIFIED"):
            raise _Malformed
        when = self.keyword()
        if not self.accept_keyword("OLD", "NEW"):
            raise _Malformed
        self.expect("*")
        return Returning(which, when)

    def source(self) -> Source:
        table = self.name()
        index = self.name() if self.accept(".") else None
        return Source(table, index)

    def name(self) -> str:
        token = self.peek()
        if token.kind == "QIDENT" or (token.kind == "IDENT" and token.text.upper() not in _RESERVED):
            self.pos += 1
            return token.text
        raise _Malformed

    # -- conditions ---------------------------------------------------------------------------------------
    def condition(self) -> Condition:
        left = self.conjunction()
        while self.accept_keyword("OR"):
            left = Or(left, self.conjunction())
        return left

    def conjunction(self) -> Condition:
        left = self.negation()
        while self.accept_keyword("AND"):
            left = And(left, self.negation())
        return left

    def negation(self) -> Condition:
        if self.accept_keyword("NOT"):
            return Not(self.negation())
        return self.test()

    def test(self) -> Condition:
        token = self.peek()
        if token.kind == "(":
            self.next()
            inner = self.condition()
            self.expect(")")
            return inner
        if token.kind == "IDENT" and self.peek(1).kind == "(":
            name = token.text.lower()
            if name in _CONDITION_FUNCTIONS:
                return self.call(name)
            if name == "exists" and self.keyword(2) == "SELECT":
                raise self.error_at(M.PARTIQL_UNSUPPORTED_TOKEN.format(token="SELECT"), self.peek(2))
            if name != "size":
                raise validation_error(M.PARTIQL_UNRECOGNIZED_FUNCTION.format(name=token.text))
        left = self.comparand()
        after = self.peek()
        if after.kind in _COMPARATORS:
            self.next()
            op = "<>" if after.kind == "!=" else after.kind
            return Compare(op, left, self.comparand())
        if after.kind in ("+", "-", "*"):
            raise validation_error(M.PARTIQL_UNSUPPORTED_OPERATOR.format(op=after.kind))
        word = self.keyword()
        if word == "BETWEEN":
            self.next()
            low = self.comparand()
            self.expect_keyword("AND")
            return Between(left, low, self.comparand())
        if word == "IN":
            self.next()
            return In(left, self.in_list())
        if word == "IS":
            self.next()
            negated = self.accept_keyword("NOT")
            kind = self.keyword()
            if not self.accept_keyword("MISSING", "NULL"):
                raise _Malformed
            if not isinstance(left, Path):
                raise _Malformed
            test: Condition
            if kind == "MISSING":
                test = Call("attribute_not_exists", (left,))
            else:
                test = Call("attribute_type", (left, Literal({"S": "NULL"})))
            return Not(test) if negated else test
        raise _Malformed

    def in_list(self) -> tuple[Operand, ...]:
        opening = self.peek().kind
        if opening not in ("[", "("):
            raise _Malformed
        self.next()
        closing = "]" if opening == "[" else ")"
        if self.accept(closing):
            raise validation_error(M.PARTIQL_EMPTY_IN)
        options = [self.comparand()]
        while self.accept(","):
            options.append(self.comparand())
        self.expect(closing)
        return tuple(options)

    def call(self, name: str) -> Call:
        self.next()
        self.expect("(")
        args = [self.comparand()]
        while self.accept(","):
            args.append(self.comparand())
        self.expect(")")
        return Call(name, tuple(args))

    def comparand(self) -> Operand:
        token = self.peek()
        if token.kind == "IDENT" and self.peek(1).kind == "(":
            if token.text.lower() != "size":
                raise validation_error(M.PARTIQL_UNRECOGNIZED_FUNCTION.format(name=token.text))
            return self.call("size")
        if self.keyword() == "MISSING":
            raise validation_error(M.PARTIQL_MISSING_OPERAND)
        return self.operand()

    # -- operands and literals ----------------------------------------------------------------------------
    def operand(self) -> Operand:
        token = self.peek()
        if token.kind == "?":
            self.next()
            ref = Value(f":p{self.params}")
            self.params += 1
            return ref
        if token.kind in ("QIDENT", "IDENT") and self.keyword() not in ("TRUE", "FALSE", "NULL"):
            return self.path()
        return Literal(self.literal())

    def path(self) -> Path:
        parts: list[str | int] = [self.name()]
        while True:
            if self.accept("."):
                parts.append(self.name())
            elif self.peek().kind == "[":
                self.next()
                token = self.peek()
                negative = self.accept("-")
                token = self.peek()
                if token.kind == "NUMBER" and token.text.isdigit() and not negative:
                    self.next()
                    parts.append(int(token.text))
                elif token.kind == "NUMBER" and negative:
                    raise self.error_at(M.PARTIQL_INDEX_RANGE.format(index=f"-{token.text}"), token)
                elif token.kind == "STRING":
                    self.next()
                    parts.append(token.text)
                else:
                    raise _Malformed
                self.expect("]")
            else:
                return Path(tuple(parts))

    def literal(self, path: str = "root") -> AttributeValue:
        """A literal value; ``path`` names where it sits (``root.v.0``) for DynamoDB's messages."""
        token = self.next()
        kind = token.kind
        if kind == "STRING":
            return {"S": token.text}
        if kind == "NUMBER":
            return {"N": _number(token.text)}
        if kind == "-" and self.peek().kind == "NUMBER":
            return {"N": _number("-" + self.next().text)}
        if kind == "IDENT":
            word = token.text.upper()
            if word in ("TRUE", "FALSE"):
                return {"BOOL": word == "TRUE"}
            if word == "NULL":
                return {"NULL": True}
            raise _Malformed
        if kind == "[":
            members: list[AttributeValue] = []
            if not self.accept("]"):
                members.append(self.value(f"{path}.0"))
                while self.accept(","):
                    members.append(self.value(f"{path}.{len(members)}"))
                self.expect("]")
            return {"L": members}
        if kind == "{":
            self.pos -= 1
            return {"M": dict(self.struct_members(nested=True, path=path))}
        if kind == "<<":
            return self.bag(token, path)
        if kind == "ION":
            raise self.error_at(M.PARTIQL_ION_LITERAL, token)
        raise _Malformed

    def value(self, path: str) -> AttributeValue:
        """A literal inside a list, map or bag (parameters are not allowed there)."""
        token = self.peek()
        if token.kind == "?":
            raise self.error_at(M.PARTIQL_PARAMETER_IN_VALUE.format(path=path), token)
        return self.literal(path)

    def struct_members(self, *, nested: bool = False, path: str = "root") -> tuple[tuple[str, Any], ...]:
        """``{'name': value, ...}``: attribute values, or (at the top of an INSERT) ``?`` references."""
        self.expect("{")
        members: dict[str, Any] = {}
        if self.accept("}"):
            return ()
        while True:
            key = self.expect("STRING")
            if key.text in members:
                raise self.error_at(M.PARTIQL_DUPLICATE_KEYS.format(key=key.text, path=path), key)
            self.expect(":")
            if not nested and self.peek().kind == "?":
                members[key.text] = self.operand()
            else:
                members[key.text] = self.value(f"{path}.{key.text}")
            if not self.accept(","):
                break
        self.expect("}")
        return tuple(members.items())

    def bag(self, opening: Token, path: str) -> AttributeValue:
        if self.peek().kind == ">>":
            raise self.error_at(M.PARTIQL_EMPTY_BAG, opening)
        members: list[str] = []
        kind: str | None = None
        while True:
            token = self.peek()
            value = self.value(f"{path}.{len(members)}")
            member_kind = "S" if "S" in value else ("N" if "N" in value else None)
            if member_kind is None or (kind is not None and member_kind != kind):
                raise self.error_at(M.PARTIQL_BAG_TYPES, token)
            kind = member_kind
            members.append(value[member_kind])
            if not self.accept(","):
                break
        self.expect(">>")
        distinct = {Decimal(m) for m in members} if kind == "N" else set(members)
        if len(distinct) != len(members):
            raise validation_error(M.PARTIQL_BAG_DUPLICATES)
        return {"SS" if kind == "S" else "NS": members}


def _at(message: str, text: str, pos: int, length: int) -> DynamoDBError:
    """A ValidationException about a place in the statement: ``<message> at <line>:<column>:<length>``."""
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return validation_error(M.PARTIQL_AT.format(message=message, line=line, column=column, length=length))


def _number(text: str) -> str:
    return normalize_number(text)


def parse(text: str) -> Statement:
    """Parse one PartiQL statement; DynamoDB's ValidationException for anything it does not accept."""
    parser = _Parser(text)
    try:
        return parser.statement()
    except _Malformed:
        raise validation_error(M.PARTIQL_MALFORMED.format(statement=text)) from None
