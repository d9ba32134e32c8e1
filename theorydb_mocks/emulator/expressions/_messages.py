"""DynamoDB's expression error messages, word for word (DynamoDB Local 3.3.0), in one table.

Messages about one expression are prefixed with ``Invalid <Kind>Expression: `` by :func:`invalid`;
request-level ones (placeholder maps, unused placeholders) and runtime ones are not.
"""

from __future__ import annotations

from theorydb_mocks.emulator.errors import DynamoDBError, validation_error

# Request level: the placeholder maps.
NAMES_EMPTY = "ExpressionAttributeNames must not be empty"
VALUES_EMPTY = "ExpressionAttributeValues must not be empty"
NAMES_INVALID_KEY = 'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"'
VALUES_INVALID_KEY = 'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"'
NAMES_KEY_TOO_LONG = (
    "ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too "
    "long; size of key: {size}"
)
VALUES_KEY_TOO_LONG = (
    "ExpressionAttributeValues contains invalid key: The expression attribute map contains a key that is too "
    "long;"
)
NAME_TOO_LARGE = (
    "ExpressionAttributeNames contains invalid value: Attribute name is too large, must be less than 65536 "
    "bytes for key {key}"
)
NAMES_INVALID_VALUE = "ExpressionAttributeNames contains invalid value: Empty attribute name for key {key}"
VALUES_INVALID_VALUE = "ExpressionAttributeValues contains invalid value: {message} for key {key}"
# A placeholder's value nested exactly 33 levels (one more is VALUES_INVALID_VALUE with the item's words).
VALUE_ONE_LEVEL_TOO_DEEP = "Nesting Levels have exceeded supported limits"
NAMES_UNUSED = "Value provided in ExpressionAttributeNames unused in expressions: keys: {{{keys}}}"
VALUES_UNUSED = "Value provided in ExpressionAttributeValues unused in expressions: keys: {{{keys}}}"

# One expression (prefixed).
EMPTY = "The expression can not be empty;"
TOO_LARGE = "Expression size has exceeded the maximum allowed size; expression size: {size}"
TOO_DEEP = "The document path has too many nesting levels; nesting levels: {levels}"
SYNTAX = 'Syntax error; token: "{token}", near: "{near}"'
REDUNDANT_PARENTHESES = "The expression has redundant parentheses;"
TOO_MANY_OPERATORS = "The expression contains too many operators; operator count: {count}"
INDEX_RANGE = "List index is not within the allowable range; index: [{index}]"
RESERVED = "Attribute name is a reserved keyword; reserved keyword: {word}"
UNDEFINED_NAME = (
    "An expression attribute name used in the document path is not defined; attribute name: {name}"
)
UNDEFINED_VALUE = "An expression attribute value used in expression is not defined; attribute value: {name}"
INVALID_FUNCTION = "Invalid function name; function: {name}"
FUNCTION_MISUSED = "The function is not allowed to be used this way in an expression; function: {name}"
FUNCTION_NOT_IN_CONDITION = "The function is not allowed in a condition expression; function: {name}"
FUNCTION_NOT_IN_UPDATE = "The function is not allowed in an update expression; function: {name}"
ARITY = (
    "Incorrect number of operands for operator or function; operator or function: {name}, "
    "number of operands: {count}"
)
NEEDS_PATH = "Operator or function requires a document path; operator or function: {name}"
OPERAND_TYPE = (
    "Incorrect operand type for operator or function; operator or function: {name}, operand type: {type}"
)
UPDATE_OPERAND_TYPE = (
    "Incorrect operand type for operator or function; operator: {name}, operand type: {type}, "
    "typeSet: ALLOWED_FOR_{name}_OPERAND"
)
# attribute_type given a path as its type: DynamoDB lists its internal type names.
ATTRIBUTE_TYPE_PATH = (
    "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: "
    "{NS,NULL,M,N,FS,DICT,DOUBLESET,FLOAT,SS,DECIMALSET,INT,B,S,INTSET,L,BS,HD,HDS,DECIMAL,DOUBLE,BOOL}"
)
INVALID_TYPE_NAME = (
    "Invalid attribute type name found; type: {type}, valid types: {{N,BS,L,B,NULL,M,S,SS,NS,BOOL}}"
)
TOO_MANY_IN = "The IN operator is provided with too many operands; number of operands: {count}"
BETWEEN_TYPES = (
    "The BETWEEN operator requires same data type for lower and upper bounds; "
    "lower bound operand: AttributeValue: {low}, upper bound operand: AttributeValue: {high}"
)
BETWEEN_ORDER = (
    "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
    "lower bound operand: AttributeValue: {low}, upper bound operand: AttributeValue: {high}"
)
NOT_DISTINCT = (
    "The first operand must be distinct from the remaining operands for this operator or function; "
    "operator: {op}, first operand: {path}"
)
CLAUSE_TWICE = 'The "{clause}" section can only be used once in an update expression;'
PATHS_OVERLAP = (
    "Two document paths overlap with each other; must remove or rewrite one of these paths; "
    "path one: {one}, path two: {two}"
)
PATHS_CONFLICT = (
    "Two document paths conflict with each other; must remove or rewrite one of these paths; "
    "path one: {one}, path two: {two}"
)

# Key conditions (not prefixed).
KEY_INVALID_OPERATOR = "Invalid operator used in KeyConditionExpression: {op}"
KEY_ONE_PER_KEY = "KeyConditionExpressions must only contain one condition per key"
KEY_LENGTH = "Conditions can be of length 1 or 2 only"
KEY_MULTIPLE_NAMES = (
    "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"
)
KEY_NO_ATTRIBUTE = "Invalid condition in KeyConditionExpression: No key attribute specified"
KEY_FIRST_OPERAND = (
    "Invalid condition in KeyConditionExpression: {op} operator must have the key attribute as its first "
    "operand"
)
KEY_TYPE_MISMATCH = (
    "One or more parameter values were invalid: Condition parameter type does not match schema type"
)
KEY_NESTED = "KeyConditionExpressions cannot contain nested operations"
KEY_NOT_SUPPORTED = "Query key condition not supported"
# The service's wording (DynamoDB Local drops the name).
KEY_MISSED = "Query condition missed key schema element: {name}"
KEY_NOT_SCALAR = (
    "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: {name}"
)

# Runtime (update application).
UPDATE_KEY = (
    "One or more parameter values were invalid: Cannot update attribute {name}. "
    "This attribute is part of the key"
)
UPDATE_BAD_PATH = "The document path provided in the update expression is invalid for update"
UPDATE_BAD_OPERAND = "An operand in the update expression has an incorrect data type"
UPDATE_MISSING = "The provided expression refers to an attribute that does not exist in the item"


def invalid(kind: str, message: str) -> DynamoDBError:
    """A ValidationException about one expression: ``Invalid UpdateExpression: <message>``."""
    return validation_error(f"Invalid {kind}Expression: {message}")
