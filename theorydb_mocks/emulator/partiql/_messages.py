"""DynamoDB's PartiQL error messages, word for word (DynamoDB Local 3.3.0 where the service agrees), in one
table. Messages about a place in the statement end with `` at <line>:<column>:<length>``.
"""

from __future__ import annotations

from theorydb_mocks.emulator.errors import DynamoDBError, validation_error

# Statement shape.
MALFORMED = "Statement wasn't well formed, can't be processed: {statement}"
UNEXPECTED_PATH = "Unexpected path component"
UNSUPPORTED_TOKEN = "Unsupported token in expression: {token}"
UNRECOGNIZED_FUNCTION = "Unrecognized function: {name}"
UNSUPPORTED_OPERATOR = "Unsupported operator in Condition Expression. Operator: {op}"
MISSING_OPERAND = "MISSING must be compared using IS operator"
EMPTY_IN = (
    "IN operator must have a left hand argument of type Variable Reference and right hand argument of type "
    "Seq with at least one member"
)
DUPLICATE_KEYS = "Duplicate keys in tuple. Key: {key} under root"
EMPTY_BAG = "Empty bags are not supported"
BAG_TYPES = "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"
BAG_DUPLICATES = "Input collection contains duplicates"
ION_LITERAL = "Ion Literals are not supported: SYMBOL under key root"
INDEX_RANGE = "List index is not within the allowable range; index: [{index}]"
INSERT_FORMAT = (
    "Unsupported format in item expression. Please use struct format {...} to express item values for insert "
    "statement."
)
TABLE_NAME = (
    "Table name should be within the length [3, 255] and only contain 'a-z', 'A-Z', '0-9', '-', '_', '.'."
)
DUPLICATE_PROJECTION = "Duplicate identifiers in select clause: {name}"
RETURNING_INSERT = "RETURNING is not supported in INSERT"
RETURNING_DELETE = (
    "Invalid returning clause: {clause}. Only RETURNING ALL OLD * is allowed in DELETE statements."
)
EXISTS_OUTSIDE = "EXISTS can only be used in ExecuteTransaction write requests."

# Against the table.
NO_TABLE = "Cannot do operations on a non-existent table"
PARAMETER_COUNT = "Number of parameters in request and statement don't match."
KEY_MISSING = "Key attribute should be present in the item: Key {name}"
KEY_TYPE = "Key attribute's data type should match its data type in table's schema: Key {name}"
KEY_EQUALITY = "Where clause does not contain a mandatory equality on all key attributes"
ORDER_WITHOUT_WHERE = "Must have WHERE clause in the statement when using ORDER BY clause."
ORDER_WITHOUT_HASH = (
    "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause."
)
ORDER_NOT_KEY = "Variable reference {name} in ORDER BY clause must be part of the primary key"
DUPLICATE_ITEM = "Duplicate primary key exists in table"
INVALID_TOKEN = "Invalid NextToken"

# ExecuteTransaction and BatchExecuteStatement.
IN_STATEMENT = "Validation failed in TransactStatements[{position}]: {message}"
TRANSACTION_MIXED = (
    "ExecuteTransaction API does not support both read and write operations in the same request."
)
TRANSACTION_SELECT_KEY = (
    "Select statements within ExecuteTransaction must specify the primary key in the where clause."
)
TRANSACTION_INDEX = "Reads on indices are not supported within transactions."
TRANSACTION_RETURNING = "RETURNING clause is not supported in ExecuteTransaction."
EXISTS_CONDITION = "EXISTS() must contain a single item read with additional condition"
IDEMPOTENT_MISMATCH = (
    "Specified idempotent token was used with different request parameters within the idempotency window"
)
BATCH_MIXED = "Read and write requests together in the same batch is not supported."
BATCH_DUPLICATES = "Provided list of item keys contains duplicates"
BATCH_SINGLE_ITEM = "Only single item select is supported"
BATCH_INVALID_OPERATION = "Invalid operation. Only select, insert, update and delete operations are valid"


def at(message: str, text: str, pos: int, length: int) -> DynamoDBError:
    """A ValidationException about a place in the statement: ``<message> at <line>:<column>:<length>``."""
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return validation_error(f"{message} at {line}:{column}:{length}")
