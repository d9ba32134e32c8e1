"""One parser for the five expression kinds: a Pratt loop for AND/OR/NOT, recursive descent for the rest.

Grammar (DynamoDB's, as its error messages reveal it)::

    condition   := NOT condition | condition (AND | OR) condition | '(' condition ')'
                 | operand comparator operand | operand BETWEEN operand AND operand
                 | operand IN '(' operand (',' operand)* ')' | function
    operand     := path | VALUE_REF | function | '(' operand ')'
    function    := NAME '(' operand (',' operand)* ')'
    path        := (NAME | NAME_REF) ('.' (NAME | NAME_REF) | '[' INDEX ']')*
    update      := (SET set (',' set)* | REMOVE path (',' path)* | ADD path VALUE_REF (',' ...)*
                 | DELETE path VALUE_REF (',' ...)*)+
    set         := path '=' set_value
    set_value   := set_operand (('+' | '-') set_operand)?
    set_operand := path | VALUE_REF | function | '(' set_value ')'
    projection  := path (',' path)*

A syntax error names the first token that cannot continue a valid prefix, and ``near`` is the text from
the token before it to the token after it, as DynamoDB writes it. Where a ``(`` may open either a
condition or an operand, both readings are tried and the one that gets further decides the error.
Redundant parentheses (``((x))``) are refused as soon as the second ``)`` is read.

Nesting depth is the client's choice (a 4 KB expression holds a thousand ``(``), so the recursive descent
runs on a heap stack: each rule is a generator that yields the sub-rule it needs and receives its result
(:func:`_run`), and no expression can exhaust Python's call stack.

>>> parse("Condition", "NOT a.b[1] = :v AND begins_with(#n, :p)").tree
((NOT a.b[1] = :v) AND begins_with(#n, :p))
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, NoReturn, TypeAlias, TypeVar, cast

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.errors import invalid_expression
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
    Not,
    Operand,
    Or,
    Path,
    Projection,
    RemoveAction,
    SetAction,
    Update,
    Value,
)
from theorydb_mocks.emulator.expressions._lexer import Token, tokenize

__all__ = ["BINDING_POWER", "MAX_LIST_INDEX", "Parsed", "parse"]

# Pratt binding powers: OR binds loosest, then AND, then the NOT prefix.
BINDING_POWER: dict[str, int] = {"OR": 1, "AND": 2}
NOT_POWER = 3
COMPARATORS = frozenset({"=", "<>", "<", "<=", ">", ">="})
CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")
MAX_LIST_INDEX = 2**31 - 1

T = TypeVar("T")
# A grammar rule: yields the rules it descends into, is sent their results, returns its node.
Rule: TypeAlias = Generator[Any, Any, T]


def _run(rule: Rule[T]) -> T:
    """Drive ``rule`` and the rules it yields on an explicit stack (depth bounded by memory, not frames).

    An exception raised by a rule is thrown into the rule that yielded it, as a call would propagate it.
    """
    stack: list[Rule[Any]] = [rule]
    value: Any = None
    error: BaseException | None = None
    while True:
        current = stack[-1]
        try:
            if error is not None:
                thrown, error = error, None
                child = current.throw(thrown)
            else:
                child = current.send(value)
        except StopIteration as done:
            stack.pop()
            if not stack:
                result: T = done.value
                return result
            value = done.value
            continue
        except Exception as exc:
            stack.pop()
            if not stack:
                raise
            # Its traceback would grow by a frame per rule it passes and keep every frame alive.
            error, value = exc.with_traceback(None), None
            continue
        stack.append(child)
        value = None


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed expression and the facts the static checks need about its text."""

    kind: str
    tree: Condition | Update | Projection
    index_out_of_range: str | None  # the first list index above 2**31-1, as written
    deepest_path: int  # the most elements in one document path (DynamoDB allows 32)
    repeated_clause: str | None  # the first clause keyword used twice (update expressions)


class _SyntaxError(Exception):
    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


class _Parser:
    def __init__(self, kind: str, text: str) -> None:
        self.kind = kind
        self.text = text
        self.tokens: list[Token] = tokenize(text)
        self.i = 0
        self.overflow: str | None = None
        self.deepest = 0
        self.parenthesized: set[int] = set()
        self.check_redundant = True
        # (rule, start) -> (syntax error or None, end, node), for rules tried for syntax alone.
        self.memo: dict[tuple[str, int], tuple[_SyntaxError | None, int, Any]] = {}
        self.keep: list[object] = []  # keeps parenthesized nodes alive so that their ids stay unique

    # -- helpers

    def fail(self) -> NoReturn:
        raise _SyntaxError(self.i)

    def expect(self, kind: str) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != kind:
            self.fail()
        self.i += 1
        return tok

    def mark_parenthesized(self, node: T) -> T:
        """Note a parenthesized node; parentheses directly around parentheses fail at once, as in DynamoDB
        (which reports them even where a syntax error follows later in the text)."""
        if id(node) in self.parenthesized and self.check_redundant:
            raise invalid_expression(self.kind, M.REDUNDANT_PARENTHESES)
        self.parenthesized.add(id(node))
        self.keep.append(node)
        return node

    def memoized(self, name: str, rule: Callable[[], Rule[T]]) -> Rule[T]:
        """``rule`` from here, tried for syntax alone once per start: linear time however deep it nests."""
        key = (name, self.i)
        found = self.memo.get(key)
        if found is None:
            start = self.i
            try:
                node = yield rule()
            except _SyntaxError as error:
                self.memo[key] = (error, start, None)
                raise
            self.memo[key] = found = (None, self.i, node)
        failure, end, node = found
        if failure is not None:
            raise _SyntaxError(failure.index)  # a fresh one: re-raising one object grows its traceback
        self.i = end
        result: T = node
        return result

    def alternatives(self, first: Callable[[], Rule[T]], second: Callable[[], Rule[T]]) -> Rule[T]:
        """Parse one of two readings that both start here, as an LL(*) parser decides.

        Both readings are first tried for syntax alone (memoized, so nesting stays linear). The reading
        that gets further is taken (when both parse, the one that ends further: ``(size(a)) = :n`` is a
        comparison, not a parenthesized condition followed by ``=``) and, unless this is itself a
        syntax-only try, parsed again with every check on; when both fail at the same token the choice was
        never made, and that token is the syntax error.
        """
        start, overflow, deepest, checking = self.i, self.overflow, self.deepest, self.check_redundant
        self.check_redundant = False
        outcomes: list[_SyntaxError | None] = []
        for reading in (first, second):
            self.i = start
            try:
                yield self.memoized(reading.__name__, reading)
                outcomes.append(None)
            except _SyntaxError as error:
                outcomes.append(error)
        self.i, self.overflow, self.deepest, self.check_redundant = start, overflow, deepest, checking
        one, two = outcomes
        if one is not None and two is not None and one.index == two.index:
            raise one
        if one is None and two is None:  # both readings parse: the longer one, as the rest must follow it
            further = self.memo[(second.__name__, start)][1] > self.memo[(first.__name__, start)][1]
            chosen = second if further else first
        else:
            chosen = first if one is None or (two is not None and one.index > two.index) else second
        if not checking:
            return cast(T, (yield self.memoized(chosen.__name__, chosen)))
        return cast(T, (yield chosen()))

    # -- conditions

    def condition(self, min_power: int = 0) -> Rule[Condition]:
        """condition := prefix ((AND | OR) condition)*, by binding power."""
        left: Condition = yield self.condition_prefix()
        while True:
            tok = self.tokens[self.i]
            power = BINDING_POWER.get(tok.kind)
            if power is None or power <= min_power:
                return left
            self.i += 1
            right = yield self.condition(power)
            left = Or(left, right) if tok.kind == "OR" else And(left, right)

    def condition_prefix(self) -> Rule[Condition]:
        kind = self.tokens[self.i].kind
        if kind == "NOT":
            self.i += 1
            return Not((yield self.condition(NOT_POWER)))
        if kind == "(":
            return cast("Condition", (yield self.alternatives(self.parenthesized_condition, self.comparison)))
        return cast("Condition", (yield self.comparison()))

    def parenthesized_condition(self) -> Rule[Condition]:
        self.expect("(")
        inner: Condition = yield self.condition()
        self.expect(")")
        return self.mark_parenthesized(inner)

    def comparison(self) -> Rule[Condition]:
        """operand comparator operand | operand BETWEEN .. AND .. | operand IN (..) | function."""
        start = self.i
        left = yield self.operand()
        tok = self.tokens[self.i]
        if tok.kind in COMPARATORS:
            self.i += 1
            return Compare(tok.kind, left, (yield self.operand()))
        if tok.kind == "BETWEEN":
            self.i += 1
            low = yield self.operand()
            self.expect("AND")
            return Between(left, low, (yield self.operand()))
        if tok.kind == "IN":
            self.i += 1
            self.expect("(")
            options = [(yield self.operand())]
            while self.tokens[self.i].kind == ",":
                self.i += 1
                options.append((yield self.operand()))
            self.expect(")")
            return In(left, tuple(options))
        if isinstance(left, Call) and self.tokens[start].kind == "NAME":
            return left
        self.fail()

    def operand(self) -> Rule[Operand]:
        """operand := path | VALUE_REF | function | '(' operand ')' (set_value inside updates)."""
        if not self.check_redundant:  # a syntax-only try: each start is parsed once
            return cast("Operand", (yield self.memoized("operand", self.any_operand)))
        return cast("Operand", (yield self.any_operand()))

    def any_operand(self) -> Rule[Operand]:
        tok = self.tokens[self.i]
        if tok.kind == "NAME" and self.tokens[self.i + 1].kind == "(":
            return cast("Operand", (yield self.function()))
        if tok.kind in ("NAME", "NAME_REF"):
            return self.path()
        if tok.kind == "VALUE_REF":
            self.i += 1
            return Value(tok.text)
        if tok.kind == "(":
            self.i += 1
            inner: Operand = yield (self.set_value() if self.kind == "Update" else self.operand())
            self.expect(")")
            return self.mark_parenthesized(inner)
        self.fail()

    def function(self) -> Rule[Call]:
        name = self.tokens[self.i].text
        self.i += 2  # the name and '('
        args = [(yield self.operand())]
        while self.tokens[self.i].kind == ",":
            self.i += 1
            args.append((yield self.operand()))
        self.expect(")")
        return Call(name, tuple(args))

    def path(self) -> Path:
        """path := (NAME | NAME_REF) ('.' (NAME | NAME_REF) | '[' INDEX ']')*."""
        tok = self.tokens[self.i]
        if tok.kind not in ("NAME", "NAME_REF"):
            self.fail()
        self.i += 1
        parts: list[str | int] = [tok.text]
        while True:
            kind = self.tokens[self.i].kind
            if kind == ".":
                self.i += 1
                tok = self.tokens[self.i]
                if tok.kind not in ("NAME", "NAME_REF"):
                    self.fail()
                self.i += 1
                parts.append(tok.text)
            elif kind == "[":
                self.i += 1
                digits = self.expect("INDEX").text
                self.expect("]")
                index = int(digits)
                if index > MAX_LIST_INDEX and self.overflow is None:
                    self.overflow = digits
                parts.append(index)
            else:
                self.deepest = max(self.deepest, len(parts))
                return Path(tuple(parts))

    # -- updates

    def update(self) -> Rule[tuple[Update, str | None]]:
        actions: list[Action] = []
        seen: set[str] = set()
        repeated: str | None = None
        if self.tokens[self.i].kind not in CLAUSES:
            self.fail()
        while self.tokens[self.i].kind != "EOF":
            clause = self.tokens[self.i].kind
            if clause not in CLAUSES:
                self.fail()
            self.i += 1
            if clause in seen and repeated is None:
                repeated = clause
            seen.add(clause)
            while True:
                actions.append((yield self.action(clause)))
                if self.tokens[self.i].kind != ",":
                    break
                self.i += 1
        return Update(tuple(actions)), repeated

    def action(self, clause: str) -> Rule[Action]:
        path = self.path()
        if clause == "SET":
            self.expect("=")
            return SetAction(path, (yield self.set_value()))
        if clause == "REMOVE":
            return RemoveAction(path)
        value = Value(self.expect("VALUE_REF").text)
        return AddAction(path, value) if clause == "ADD" else DeleteAction(path, value)

    def set_value(self) -> Rule[Operand]:
        left: Operand = yield self.operand()
        tok = self.tokens[self.i]
        if tok.kind in ("+", "-"):
            self.i += 1
            return Arith(tok.kind, left, (yield self.operand()))
        return left

    # -- projections

    def projection(self) -> Projection:
        paths = [self.path()]
        while self.tokens[self.i].kind == ",":
            self.i += 1
            paths.append(self.path())
        return Projection(tuple(paths))

    # -- entry

    def parse(self) -> Parsed:
        repeated: str | None = None
        tree: Condition | Update | Projection
        try:
            if self.kind == "Update":
                tree, repeated = _run(self.update())
            elif self.kind == "Projection":
                tree = self.projection()
            else:
                tree = _run(self.condition())
            self.expect("EOF")
        except _SyntaxError as error:
            raise invalid_expression(self.kind, self.syntax_message(error.index)) from None
        return Parsed(self.kind, tree, self.overflow, self.deepest, repeated)

    def syntax_message(self, index: int) -> str:
        tokens = self.tokens
        tok = tokens[index]
        start = tokens[index - 1].pos if index > 0 else 0
        after = tokens[index + 1] if index + 1 < len(tokens) else tok
        end = len(self.text) if after.kind == "EOF" else after.pos + len(after.text)
        return M.SYNTAX.format(token=tok.text, near=self.text[start:end])


def parse(kind: str, text: str) -> Parsed:
    """Parse ``text`` as a ``kind`` expression ("Condition", "Filter", "KeyCondition", "Projection" or
    "Update"), raising DynamoDB's syntax error."""
    return _Parser(kind, text).parse()
