"""Every error message the emulator answers with, word for word, in one table.

Messages are DynamoDB's. Where the service's wording is recorded (``SERVICE-FACTS.md``, AWS documentation,
the quirks file) it is the service's; elsewhere it is DynamoDB Local 3.3.0's, which the differential suite
pins (``docs/fidelity.md`` says which is which). A template's ``{fields}`` are filled with ``str.format``;
literal braces are doubled (``{{``), so a message holding braces is ``.format()``-ed even without fields.
Handlers raise them through ``errors.validation_error`` and ``errors.ddb_error``; add a new operation's
messages here, in its section (``tests/emulator/test_messages.py`` refuses errors worded inline).

>>> TABLE_NOT_FOUND.format(name="orders")
'Requested resource not found: Table: orders not found'
"""

from __future__ import annotations

# --- The framework: reports built before any handler runs ---------------------------------------------

# The constraint report: "1 validation error detected: <item>" or "2 validation errors detected: <a>; <b>".
VALIDATION_REPORT = "{count} validation {noun} detected: {items}"
# One item of the report, in its older form (the value echoed, a camelCase path) ...
CONSTRAINT_FAILED = "Value {shown} at '{path}' failed to satisfy constraint: {constraint}"
# ... and in its newer form (no value, a PascalCase path), which the service uses for some members.
CONSTRAINT_FAILED_UNECHOED = "Value at '{path}' failed to satisfy constraint: {constraint}"
MUST_NOT_BE_NULL = "Member must not be null"
# A map whose values break their own constraints: every constraint of the value shape, maximum first.
MAP_VALUE_CONSTRAINT = "Map value must satisfy constraint: [{rules}]"
NULL_MEMBER = (
    "1 validation error detected: Value null at '{path}' failed to satisfy constraint: Member must not be "
    "null"
)
# Required members some operations name in their own sentence instead of the report (SERVICE-FACTS A).
PARAMETER_REQUIRED = "The parameter '{member}' is required but was not present in the request"
REQUEST_ITEMS_REQUIRED = "The requestItems parameter is required for {operation}"

# The JSON reader: a member of the wrong type (SerializationException).
STRUCTURE_NOT_EXPECTED = "Start of structure or map found where not expected."
LIST_NOT_EXPECTED = "Start of list found where not expected"
STRUCTURE_EXPECTED = "Unexpected value type in payload: {kind} where a structure or map was expected"
LIST_EXPECTED = "Unexpected value type in payload: {kind} where a list was expected"
NOT_CONVERTIBLE = "{kind} can not be converted to {java_type}"
UNEXPECTED_VALUE_TYPE = "Unexpected value type in payload; expected {expected}"
BASE64_MALFORMED = "Base64 encoded value is malformed"
# The service answers a body that is not JSON, or an unknown X-Amz-Target, without a message.
MALFORMED_BODY = ""
UNKNOWN_TARGET = ""

# --- Dispatch, authentication and injected faults ------------------------------------------------------

UNKNOWN_OPERATION = "Unknown operation: {operation!r}"
NOT_AN_OPERATION = "Unknown operation: {operation!r} is not a DynamoDB operation"
NOT_IMPLEMENTED = "The emulator does not implement the DynamoDB operation {operation}"
INTERNAL_ERROR = "Internal server error"
INTERNAL_ERROR_OF = "Internal server error ({kind})"
AUTHORIZATION_PARAMETER = "Authorization header requires '{parameter}' parameter."
MISSING_TOKEN = "Request is missing Authentication Token"
INVALID_TOKEN = "The security token included in the request is invalid."
THROUGHPUT_EXCEEDED = (
    "The level of configured provisioned throughput for the table was exceeded. Consider increasing your "
    "provisioning level with the UpdateTable API."
)
RATE_EXCEEDED = "Rate of requests exceeds the allowed throughput."
TRANSACTION_CONFLICT = "Transaction is ongoing for the item"

# --- Tables that do not exist ---------------------------------------------------------------------------

RESOURCE_NOT_FOUND = "Requested resource not found"
TABLE_NOT_FOUND = "Requested resource not found: Table: {name} not found"

# --- Attribute values -----------------------------------------------------------------------------------

NOT_A_NUMBER = "A value provided cannot be converted into a number"
NUMBER_OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range"
NUMBER_UNDERFLOW = (
    "Number underflow. Attempting to store a number with magnitude smaller than supported range"
)
NUMBER_PRECISION = "DynamoDB only supports precision up to 38 digits"
EMPTY_VALUE = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
TWO_TYPES = (
    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported "
    "datatypes"
)
EMPTY_SS = "One or more parameter values were invalid: An string set  may not be empty"
EMPTY_NS = "One or more parameter values were invalid: An number set  may not be empty"
EMPTY_BS = "One or more parameter values were invalid: Binary sets should not be empty"
# The service ends the SS sentence with a period (SERVICE-FACTS F1); NS and BS are DynamoDB Local's words.
DUPLICATE_SS = "One or more parameter values were invalid: Input collection {members} contains duplicates."
DUPLICATE_NS = "Input collection contains duplicates"
DUPLICATE_BS = "One or more parameter values were invalid: Input collection of type BS contains duplicates."
NULL_NOT_TRUE = (
    "One or more parameter values were invalid: Null attribute value types must have the value of true"
)
EMPTY_NAME = "Empty attribute name"
# A value nested past 32 levels (the top-level value is level 1): in an item, a key, a placeholder's value
# nested 34 levels or more (VALUES_INVALID_VALUE wraps it) ...
VALUE_TOO_DEEP = (
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond "
    "supported limit"
)
# ... and a placeholder's value nested exactly 33 levels, which has its own, shorter words.
VALUE_ONE_LEVEL_TOO_DEEP = "Nesting Levels have exceeded supported limits"
# A request nested deeper than any valid one, where no attribute value is too deep (the JSON reader's).
REQUEST_TOO_DEEP = "The request nests deeper than any DynamoDB request can"
UNSUPPORTED_KEY_TYPE = "Unsupported key type: {kind}"

# --- Keys and items -------------------------------------------------------------------------------------

KEY_SCHEMA_MISMATCH = "The provided key element does not match the schema"
MISSING_KEY = "One or more parameter values were invalid: Missing the key {name} in the item"
KEY_TYPE_MISMATCH = (
    "One or more parameter values were invalid: Type mismatch for key {name} expected: {expected} "
    "actual: {actual}"
)
INDEX_TYPE_MISMATCH = "One or more parameter values were invalid: Type mismatch for Index Key"
# A key or index key attribute whose value is not a scalar (DynamoDB Local 3.3.0's words and precedence).
INVALID_KEY_VALUE_TYPE = "Invalid attribute value type"
EMPTY_KEY = (
    "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an "
    "empty {kind} value. Key: {name}"
)
EMPTY_INDEX_KEY = (
    "One or more parameter values are not valid. A value specified for a secondary index key is not "
    "supported. The AttributeValue for a key attribute cannot contain an empty {kind} value. "
    "IndexName: {index}, IndexKey: {name}"
)
EMPTY_INDEX_KEY_UPDATE = (
    "One or more parameter values are not valid. The update expression attempted to update a secondary index "
    "key to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty "
    "{kind} value."
)
KEY_TOO_LARGE = (
    "Hash primary key values must be under 2048 bytes, and range primary key values must be under 1024 bytes"
)
ITEM_TOO_LARGE = "Item size has exceeded the maximum allowed size"
UPDATE_TOO_LARGE = "Item size to update has exceeded the maximum allowed size"
MIXED_PARAMETERS = (
    "Can not use both expression and non-expression parameters in the same request: "
    "Non-expression parameters: {{{legacy}}} Expression parameters: {{{modern}}}"
)
INVALID_RETURN_VALUES = "Return values set to invalid value"
# A name twice in AttributesToGet (DynamoDB Local's words: GetItem, Query, Scan; then BatchGetItem's).
DUPLICATE_ATTRIBUTES_TO_GET = "Cannot have two attributes with the same name"
DUPLICATE_ATTRIBUTE_NAME = (
    "One or more parameter values were invalid: Duplicate value in attribute name: {name}"
)
CONDITION_FAILED = "The conditional request failed"

# --- Expressions: the placeholder maps (request level) --------------------------------------------------

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
NAMES_UNUSED = "Value provided in ExpressionAttributeNames unused in expressions: keys: {{{keys}}}"
VALUES_UNUSED = "Value provided in ExpressionAttributeValues unused in expressions: keys: {{{keys}}}"
NAMES_WITHOUT_EXPRESSIONS = "ExpressionAttributeNames can only be specified when using expressions"
VALUES_WITHOUT_EXPRESSIONS = "ExpressionAttributeValues can only be specified when using expressions: {null}"

# --- Expressions: one expression (prefixed with "Invalid <Kind>Expression: " by errors.invalid_expression)

INVALID_EXPRESSION = "Invalid {kind}Expression: {message}"
EXPRESSION_EMPTY = "The expression can not be empty;"
EXPRESSION_TOO_LARGE = "Expression size has exceeded the maximum allowed size; expression size: {size}"
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
    "{{NS,NULL,M,N,FS,DICT,DOUBLESET,FLOAT,SS,DECIMALSET,INT,B,S,INTSET,L,BS,HD,HDS,DECIMAL,DOUBLE,BOOL}}"
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

# --- Expressions: key conditions (not prefixed) --------------------------------------------------------

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
KEY_CONDITION_TYPE = (
    "One or more parameter values were invalid: Condition parameter type does not match schema type"
)
KEY_NESTED = "KeyConditionExpressions cannot contain nested operations"
KEY_NOT_SUPPORTED = "Query key condition not supported"
# The service's wording (DynamoDB Local drops the name).
KEY_MISSED = "Query condition missed key schema element: {name}"
# A query of a multi-attribute index key: every partition attribute by equality; the sort attributes left
# to right, all by equality but the last one queried (DynamoDB Local 3.3.0's words).
KEY_MULTI_HASH_EQUALITY = "HASH key attributes {names} must have equality conditions specified in the query"
KEY_MULTI_RANGE_EQUALITY = (
    "RANGE key attributes {names} must have equality conditions specified in the query because a condition "
    "is present on key attribute {name}"
)
KEY_NOT_SCALAR = (
    "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: {name}"
)

# --- Expressions: applying an update --------------------------------------------------------------------

UPDATE_KEY = (
    "One or more parameter values were invalid: Cannot update attribute {name}. "
    "This attribute is part of the key"
)
UPDATE_BAD_PATH = "The document path provided in the update expression is invalid for update"
UPDATE_BAD_OPERAND = "An operand in the update expression has an incorrect data type"
UPDATE_MISSING = "The provided expression refers to an attribute that does not exist in the item"

# --- Legacy parameters (Expected, KeyConditions, QueryFilter, ScanFilter, AttributeUpdates) ------------

INVALID_PARAMETERS = "One or more parameter values were invalid: "
UNKNOWN_OPERATOR = "Comparison type does not exist in DynamoDB"
ARGUMENT_COUNT = INVALID_PARAMETERS + "Invalid number of argument(s) for the {op} ComparisonOperator"
NEEDS_VALUES = INVALID_PARAMETERS + (
    "Value or AttributeValueList must be used with ComparisonOperator: {op} for Attribute: {name}"
)
NOT_VALID_FOR = INVALID_PARAMETERS + "ComparisonOperator {op} is not valid for {kind} AttributeValue type"
SAME_TYPES = INVALID_PARAMETERS + "AttributeValues inside AttributeValueList must be of same type"
LEGACY_BETWEEN_ORDER = (
    "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"
)
EXISTS_WITH_OPERATOR = (
    INVALID_PARAMETERS + "Exists and ComparisonOperator cannot be used together for Attribute: {name}"
)
VALUE_WITH_LIST = (
    INVALID_PARAMETERS + "Value and AttributeValueList cannot be used together for Attribute: {name}"
)
VALUE_WHEN_ABSENT = INVALID_PARAMETERS + "Value cannot be used when Exists is false for Attribute: {name}"
VALUE_NEEDED = INVALID_PARAMETERS + "Value must be provided when Exists is {state} for Attribute: {name}"
OPERATOR_WITHOUT_CONDITIONS = "ConditionalOperator cannot be used without Filter or Expected"
OPERATOR_WITH_ONE = "ConditionalOperator can only be used when Filter or Expected has two or more elements"
ONLY_DELETE = INVALID_PARAMETERS + "Only DELETE action is allowed when no attribute value is specified"
ADD_NOT_SUPPORTED = INVALID_PARAMETERS + "ADD action is not supported for the type {kind}"
DELETE_NOT_SUPPORTED = INVALID_PARAMETERS + "DELETE action with value is not supported for the type {kind}"
UPDATE_TYPE_MISMATCH = "Type mismatch for attribute to update"
NULL_OPERATOR = (
    "1 validation error detected: Value null at '{member}.{name}.member.comparisonOperator' failed to "
    "satisfy constraint: Member must not be null"
)

# --- Query and Scan -------------------------------------------------------------------------------------

NO_KEY_CONDITION = (
    "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
)
NO_SUCH_INDEX = "The table does not have the specified index: {index}"
GSI_CONSISTENT_READ = "Consistent reads are not supported on global secondary indexes"
SELECT_ALL_ON_GSI = (
    "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global "
    "secondary index {index} because its projection type is not ALL"
)
SPECIFIC_WITHOUT_PROJECTION = (
    "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"
)
PROJECTION_WITH_SELECT = "Cannot specify the {member} when choosing to get {what}"
ALL_PROJECTED_WITHOUT_INDEX = "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
NOT_PROJECTED = (
    "One or more parameter values were invalid: Global secondary index {index} does not project [{names}]"
)
LEGACY_FILTER_ON_KEY = (
    "QueryFilter can only contain non-primary key attributes: Primary key attribute: {name}"
)
FILTER_NOT_PROJECTED = (
    "One or more parameter values were invalid: Secondary index {index} does not project one or more filter "
    "attributes: [{names}]"
)
FILTER_ON_KEY = "Filter Expression can only contain non-primary key attributes: Primary key attribute: {name}"
START_KEY_SIZE = "Exclusive Start Key must have same size as table's key schema"
START_KEY_TYPE = "Type mismatch for attribute to update"
START_KEY_INVALID = "The provided starting key is invalid"
START_KEY_OUTSIDE = "The provided starting key does not match the range key predicate"
START_KEY_SEGMENT = "Exclusive start key must lie within the segment"
# The service's sentences (SERVICE-FACTS C), worded asymmetrically: copy them word for word.
SEGMENT_WITHOUT_TOTAL = (
    "The TotalSegments parameter is required but was not present in the request when Segment parameter is "
    "present"
)
TOTAL_WITHOUT_SEGMENT = (
    "The Segment parameter is required but was not present in the request when parameter TotalSegments is "
    "present"
)
SEGMENT_TOO_LARGE = (
    "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
    "Segment: {segment} is not less than TotalSegments: {total}"
)

# --- Batches --------------------------------------------------------------------------------------------

BATCH_WRITE_LIST_EMPTY = "The batch write request list for a table cannot be null or empty: {table}"
BATCH_WRITE_ENTRY_NULL = "The batch write request list for a table cannot be null or empty"
BATCH_GET_KEYS_EMPTY = "The list of keys in RequestItems for BatchGetItem is required: {table} has empty list"
BATCH_GET_KEY_NULL = (
    "The list of keys in RequestItems for BatchGetItem may not contain null or empty values: "
    "{table} has one or more empty keys"
)
TOO_MANY_WRITES = "Too many items requested for the BatchWriteItem call"
TOO_MANY_GETS = "Too many items requested for the BatchGetItem call"
DUPLICATE_KEYS = "Provided list of item keys contains duplicates"
# A WriteRequest holding both a PutRequest and a DeleteRequest: the service reuses the AttributeValue words.
ONE_REQUEST_KIND = TWO_TYPES

# --- Transactions ---------------------------------------------------------------------------------------

TRANSACTION_CANCELLED = (
    "Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]"
)
TRANSACTION_NO_ACTION = "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request"
TRANSACTION_MANY_ACTIONS = "TransactItems can only contain one of Check, Put, Update or Delete"
TRANSACTION_SAME_ITEM = "Transaction request cannot include multiple operations on one item"
TRANSACTION_TOO_LARGE = "Transaction payload size cannot exceed 4MB. Payload Size: {size}"
TRANSACTION_NULL_GET = (
    "1 validation error detected: Value null at 'transactItems.{position}.member.get' failed to satisfy "
    "constraint: Member must not be null"
)
# A ClientRequestToken reused with another request: DynamoDB Local answers with an empty message.
IDEMPOTENT_MISMATCH = ""
# The beginning of UPDATE_KEY: how a transaction tells that cancellation reason from the others.
UPDATE_KEY_PREFIX = "One or more parameter values were invalid: Cannot update attribute "

# --- Tables ---------------------------------------------------------------------------------------------

NO_HASH_KEY = "No Hash Key specified in schema.  All Dynamo DB tables must have exactly one hash key"
TOO_MANY_HASH_KEYS = "Too many hash keys specified.  All Dynamo DB tables must have exactly one hash key"
KEY_ORDER = (
    "Invalid key order. Hash Key must be specified first in key schema, Range Key must be specifed second"
)
SAME_KEY_NAMES = "Two keys can not have the same name"
# Multi-attribute keys of a global secondary index (DynamoDB Local 3.3.0's words; the service's not observed).
GSI_TOO_MANY_PARTITION_KEYS = "Too many partition keys. GSI can have at most {limit} partition keys"
GSI_TOO_MANY_SORT_KEYS = "Too many sort keys. GSI can have at most {limit} sort keys"
GSI_KEY_UNDEFINED = "Attribute {name} is not defined in AttributeDefinitions"
# A key schema naming more attributes, repeats counted, than AttributeDefinitions defines (SERVICE-FACTS E1).
KEY_SCHEMA_UNDEFINED = "Invalid KeySchema: Some index key attribute have no definition"
DUPLICATE_ATTRIBUTES = "Cannot have two attributes with the same name"
UNDEFINED_KEYS = (
    "One or more parameter values were invalid: Some index key attributes are not defined in "
    "AttributeDefinitions. Keys: [{keys}], AttributeDefinitions: [{defined}]"
)
UNUSED_DEFINITIONS = (
    "The number of attributes in key schema must match the number of attributes defined in attribute "
    "definitions."
)
NO_ATTRIBUTE_SCHEMA = "No Attribute Schema Defined"
NO_KEY_SCHEMA = (
    "No defined key schema.  A key schema containing at least a hash key must be defined for all tables"
)
PPR_WITH_THROUGHPUT = (
    "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be "
    "specified when BillingMode is PAY_PER_REQUEST"
)
NO_THROUGHPUT = "No provisioned throughput specified for the table"
NO_GSI_THROUGHPUT = "No provisioned throughput specified for the global secondary index"
PPR_GSI_THROUGHPUT = (
    "One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: "
    "{index} when BillingMode is PAY_PER_REQUEST"
)
EMPTY_GSI_LIST = "One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty"
EMPTY_LSI_LIST = "One or more parameter values were invalid: List of LocalSecondaryIndexes is empty"
TOO_MANY_GSIS = "GlobalSecondaryIndex count exceeds the per-table limit"
TOO_MANY_LSIS = "Cannot have more than 5 local secondary indexes per table"
# Two indexes of one table with one name, whatever their kinds (SERVICE-FACTS E4).
DUPLICATE_INDEX_NAME = "One or more parameter values were invalid: Duplicate index name: {index}"
NO_PROJECTION = "Indexes must have a projection specified"
INCLUDE_WITHOUT_ATTRIBUTES = (
    "If Projection type INCLUDE is specified, some non-key attributes to include in the projection must be "
    "specified as well"
)
ATTRIBUTES_WITHOUT_INCLUDE = (
    "No attributes should be specified to be projected unless projection type is INCLUDE"
)
TOO_MANY_PROJECTED = (
    "One or more parameter values were invalid: Number of projected attributes in all indexes exceeds limit "
    "of {limit}, provided: {count}"
)
LSI_ON_HASH_TABLE = (
    "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required "
    "when specifying a LocalSecondaryIndex"
)
LSI_NEEDS_RANGE = "Local secondary indices must have a range key"
LSI_SAME_HASH = "Local Secondary indices must have the same hash key as the main table"
STREAM_VIEW_TYPE = "Invalid StreamViewType: Stream ViewType must not be null or empty when enabling streams."
STREAM_ALREADY_ENABLED = "Table already has an enabled stream"
STREAM_NOT_ENABLED = "Table has no stream to disable"
STREAM_DISABLED_WITH_TYPE = (
    "Invalid StreamViewType: Stream StreamEnabled was false but a StreamViewType was present."
)
ONE_INDEX_AT_A_TIME = (
    "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"
)
REDEFINED_ATTRIBUTE = (
    "invalid attribute, SchemaElement redefined should be of same type as previously defined"
)
TABLE_EXISTS = "Table already exists: {name}"
DELETION_PROTECTED = (
    "Resource cannot be deleted as it is currently protected against deletion. "
    "Disable deletion protection first."
)
NOTHING_TO_UPDATE = "Nothing to update"
SAME_THROUGHPUT = "The requested throughput value equals the current value"
INDEX_EXISTS = "Attempting to create an index which already exists"
# A table's ARN in another account: refused before the table is looked up (SERVICE-FACTS I1; the words are
# IAM's usual form, the service's were not recorded).
NOT_AUTHORIZED = "User: {caller} is not authorized to perform: dynamodb:{action} on resource: {arn}"

# --- Time to live ---------------------------------------------------------------------------------------

TTL_ALREADY_ENABLED = "TimeToLive is already enabled"
TTL_ALREADY_DISABLED = "TimeToLive is already disabled"
TTL_OTHER_ATTRIBUTE = "TimeToLive is active on a different AttributeName"

# --- Tags -----------------------------------------------------------------------------------------------

TAGGED_RESOURCE_NOT_FOUND = "Requested resource not found: ResourcArn: {arn} not found"
INVALID_RESOURCE_ARN = "Invalid TableArn: Invalid ResourceArn provided as input {arn}"
TOO_MANY_TAGS = "One or more parameter values were invalid: The number of tags exceeds the limit of 50"
RESERVED_TAG_PREFIX = "One or more parameter values were invalid: Tag key prefix aws: is reserved for AWS use"
EMPTY_TAG_KEYS = "One or more parameter values were invalid: TagKeys must not be empty"
EMPTY_TAGS = "One or more parameter values were invalid: Tags must not be empty"

# --- DynamoDB Streams -----------------------------------------------------------------------------------

STREAM_NOT_FOUND = "Requested resource not found: Stream: {arn} not found"
STREAM_DOES_NOT_EXIST = "Stream does not exist"
SHARD_DOES_NOT_EXIST = "Shard does not exist"
SEQUENCE_REQUIRED = "One or more parameter values were invalid: Invalid SequenceNumber"
SEQUENCE_NOT_ALLOWED = (
    "One or more parameter values were invalid: SequenceNumber should not be passed for this iterator type"
)
TIMESTAMP_REQUIRED = "One or more parameter values were invalid: Invalid Timestamp"
BAD_SEQUENCE = "Invalid SequenceNumber for the shard"
BAD_ITERATOR = "Invalid ShardIterator"
ITERATOR_EXPIRED = (
    "Iterator expired. The iterator was created at time {created} while right now it is {now} which is "
    "further in the future than the tolerated delay of 900000 milliseconds."
)
RECORDS_TRIMMED = "The operation attempted to read past the oldest stream record in a shard."


# --- PartiQL: ExecuteStatement, BatchExecuteStatement, ExecuteTransaction ---------------------------------
# DynamoDB Local 3.3.0's words (the service's where the allow-list says so). A message about a place in the
# statement ends with PARTIQL_AT's " at <line>:<column>:<length>".

PARTIQL_AT = "{message} at {line}:{column}:{length}"
# Statement shape.
PARTIQL_MALFORMED = "Statement wasn't well formed, can't be processed: {statement}"
PARTIQL_UNEXPECTED_PATH = "Unexpected path component"
PARTIQL_UNSUPPORTED_TOKEN = "Unsupported token in expression: {token}"
PARTIQL_UNRECOGNIZED_FUNCTION = "Unrecognized function: {name}"
PARTIQL_UNSUPPORTED_OPERATOR = "Unsupported operator in Condition Expression. Operator: {op}"
PARTIQL_MISSING_OPERAND = "MISSING must be compared using IS operator"
PARTIQL_EMPTY_IN = (
    "IN operator must have a left hand argument of type Variable Reference and right hand argument of type "
    "Seq with at least one member"
)
PARTIQL_DUPLICATE_KEYS = "Duplicate keys in tuple. Key: {key} under {path}"
PARTIQL_PARAMETER_IN_VALUE = "Unsupported data type: Parameter under key {path}"
PARTIQL_EMPTY_BAG = "Empty bags are not supported"
PARTIQL_BAG_TYPES = "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"
PARTIQL_BAG_DUPLICATES = "Input collection contains duplicates"
PARTIQL_ION_LITERAL = "Ion Literals are not supported: SYMBOL under key root"
PARTIQL_INDEX_RANGE = "List index is not within the allowable range; index: [{index}]"
PARTIQL_INSERT_FORMAT = (
    "Unsupported format in item expression. Please use struct format {{...}} to express item values for "
    "insert statement."
)
PARTIQL_TABLE_NAME = (
    "Table name should be within the length [3, 255] and only contain 'a-z', 'A-Z', '0-9', '-', '_', '.'."
)
PARTIQL_DUPLICATE_PROJECTION = "Duplicate identifiers in select clause: {name}"
PARTIQL_RETURNING_INSERT = "RETURNING is not supported in INSERT"
PARTIQL_RETURNING_DELETE = (
    "Invalid returning clause: {clause}. Only RETURNING ALL OLD * is allowed in DELETE statements."
)
PARTIQL_EXISTS_OUTSIDE = "EXISTS can only be used in ExecuteTransaction write requests."

# Against the table.
PARTIQL_NO_TABLE = "Cannot do operations on a non-existent table"
PARTIQL_PARAMETER_COUNT = "Number of parameters in request and statement don't match."
PARTIQL_KEY_MISSING = "Key attribute should be present in the item: Key {name}"
PARTIQL_KEY_TYPE = "Key attribute's data type should match its data type in table's schema: Key {name}"
PARTIQL_KEY_EQUALITY = "Where clause does not contain a mandatory equality on all key attributes"
# A statement on an index with a multi-attribute key (DynamoDB Local 3.3.0's words; statements on the table
# itself are served).
PARTIQL_MULTI_ATTRIBUTE_KEY = (
    "PartiQL statements cannot be executed on tables with composite HASH keys or composite RANGE keys."
)
PARTIQL_ORDER_WITHOUT_WHERE = "Must have WHERE clause in the statement when using ORDER BY clause."
PARTIQL_ORDER_WITHOUT_HASH = (
    "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause."
)
PARTIQL_ORDER_NOT_KEY = "Variable reference {name} in ORDER BY clause must be part of the primary key"
PARTIQL_DUPLICATE_ITEM = "Duplicate primary key exists in table"
PARTIQL_INVALID_TOKEN = "Invalid NextToken"

# ExecuteTransaction and BatchExecuteStatement.
PARTIQL_IN_STATEMENT = "Validation failed in TransactStatements[{position}]: {message}"
PARTIQL_TRANSACTION_MIXED = (
    "ExecuteTransaction API does not support both read and write operations in the same request."
)
PARTIQL_TRANSACTION_SELECT_KEY = (
    "Select statements within ExecuteTransaction must specify the primary key in the where clause."
)
PARTIQL_TRANSACTION_INDEX = "Reads on indices are not supported within transactions."
PARTIQL_TRANSACTION_RETURNING = "RETURNING clause is not supported in ExecuteTransaction."
PARTIQL_EXISTS_CONDITION = "EXISTS() must contain a single item read with additional condition"
PARTIQL_IDEMPOTENT_MISMATCH = (
    "Specified idempotent token was used with different request parameters within the idempotency window"
)
PARTIQL_BATCH_MIXED = "Read and write requests together in the same batch is not supported."
PARTIQL_BATCH_DUPLICATES = "Provided list of item keys contains duplicates"
PARTIQL_BATCH_SINGLE_ITEM = "Only single item select is supported"
PARTIQL_BATCH_INVALID_OPERATION = (
    "Invalid operation. Only select, insert, update and delete operations are valid"
)

# --- Vector indexes and SearchVectors -------------------------------------------------------------------
# DynamoDB Local has no vector search: nothing here is measured. The developer guide quotes some messages
# (marked "documented"); the others are the emulator's words, in DynamoDB's style (docs/emulator.md).

# CreateTable / UpdateTable.
VECTOR_UNDEFINED_SEARCH_ATTRIBUTE = (
    "One element in SearchSchema is not defined in attribute definitions"  # documented
)
VECTOR_ON_DEMAND_ONLY = (
    "One or more parameter values were invalid: Vector indexes are supported only on tables that use "
    "on-demand capacity mode (PAY_PER_REQUEST)"
)
VECTOR_DIMENSIONS_RANGE = (
    "One or more parameter values were invalid: Dimensions must be between 1 and {limit}, provided: {dims}"
)
VECTOR_TWO_HASH = "One or more parameter values were invalid: SearchSchema can have at most one HASH element"
VECTOR_DUPLICATE_SEARCH_ATTRIBUTE = (
    "One or more parameter values were invalid: Duplicate attribute in SearchSchema: {name}"
)
VECTOR_IN_SCHEMA = (
    "One or more parameter values were invalid: The vector attribute {name} cannot be in the SearchSchema"
)
VECTOR_IS_KEY = (
    "One or more parameter values were invalid: The vector attribute {name} cannot be a key attribute"
)
VECTOR_DIMENSIONS_DIFFER = (
    "One or more parameter values were invalid: Vector indexes on the same vector attribute must have the "
    "same Dimensions. VectorAttribute: {name}"
)
VECTOR_DUPLICATE_INDEX = "Two vector indices have the same name"
VECTOR_SAME_NAME_AS_INDEX = "Vector indices and secondary indices must have different names"
VECTOR_EMPTY_LIST = "One or more parameter values were invalid: List of VectorIndexes is empty"
VECTOR_ONE_ACTION = (
    "One or more parameter values were invalid: A VectorIndexUpdate must have exactly one of Create or Delete"
)

# Writes of a malformed vector (documented behaviour: refused; the words are the emulator's).
VECTOR_TYPE = (
    "One or more parameter values were invalid: Parameter invalid type for vector attribute {name}: "
    "expected a List of Numbers, got {actual}. IndexName: {index}"
)
VECTOR_MEMBER_TYPE = (
    "One or more parameter values were invalid: Parameter invalid type for vector attribute {name} at "
    "index {position}: expected a Number, got {actual}. IndexName: {index}"
)
VECTOR_MEMBER_RANGE = (
    "One or more parameter values were invalid: Vector attribute {name} at index {position} is out of the "
    "range of a 32-bit float: {value}. IndexName: {index}"
)
VECTOR_DIMENSIONS = (
    "One or more parameter values were invalid: Vector attribute {name} has {count} dimensions, but the "
    "vector index expects {dims}. IndexName: {index}"
)

# SearchVectors.
SEARCH_TOP_K_RANGE = "Provided TopK value is out of valid range"  # documented
SEARCH_NO_INDEX = "The table does not have the specified index: {index}"  # documented
SEARCH_BACKFILLING = "Cannot search backfilling vector index: {index}"  # documented
SEARCH_HASH_REQUIRED = (
    "SearchConditionExpression must be provided when SearchSchema has a HASH key"  # documented
)
SEARCH_INVALID_COMPARATOR = "Invalid comparator used in SearchConditionExpression"  # documented
SEARCH_INVALID_OPERATOR = (
    "Invalid SearchConditionExpression: only equality conditions joined with AND are supported; "
    "found: {found}"
)
SEARCH_NESTED_PATH = (
    "Invalid SearchConditionExpression: only top-level attributes of the SearchSchema can be used; "
    "found: {path}"
)
SEARCH_NOT_IN_SCHEMA = (
    "Invalid SearchConditionExpression: attribute {name} is not in the SearchSchema of vector index {index}"
)
SEARCH_TYPE_MISMATCH = (
    "One or more parameter values were invalid: Condition parameter type does not match schema type"
)
SEARCH_ELEMENT_TYPE = "Invalid SearchVector: the element at index {position} must be a Number, got {actual}"
SEARCH_ELEMENT_RANGE = (
    "Invalid SearchVector: the element at index {position} is out of the range of a 32-bit float: {value}"
)
SEARCH_DIMENSIONS = (
    "Invalid SearchVector: the search vector has {count} dimensions, but vector index {index} has {dims}"
)
SEARCH_NOT_PROJECTED = (
    "Invalid ProjectionExpression: attribute {name} is not projected into vector index {index}"
)

# --- The HTTP server: malformed HTTP, limits, timeouts, the journal -------------------------------------

HTTP_MALFORMED_REQUEST_LINE = "Malformed HTTP request line"
HTTP_MALFORMED_HEADER = "Malformed HTTP header"
HTTP_HEADERS_TOO_LARGE = "Request headers too large"
HTTP_INVALID_CONTENT_LENGTH = "Invalid Content-Length"
HTTP_INVALID_CHUNKED_BODY = "Invalid chunked body"
HTTP_UNSUPPORTED_ENCODING = "Unsupported Transfer-Encoding: {encoding}"
HTTP_BODY_TOO_LARGE = "Request entity too large: the limit is {limit} bytes"
HTTP_TOO_MANY_CONNECTIONS = "Too many connections: the server accepts {limit}"
HTTP_TOO_MANY_BYTES = "The server is holding too many request bytes"
HTTP_REQUEST_TIMEOUT = "The request was not received within {seconds:g} seconds"
JOURNAL_NOT_RECORDED = "Internal server error: the write was not recorded ({reason}); nothing was changed"

# --- SigV4 verification (--credentials-file) ----------------------------------------------------------

SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS "
    "Secret Access Key and signing method. Consult the service documentation for details."
)
SIGNATURE_EXPIRED = "Signature expired: {signed} is now earlier than {earliest} ({now} - {minutes} min.)"
SIGNATURE_NOT_YET_CURRENT = (
    "Signature not yet current: {signed} is still later than {latest} ({now} + {minutes} min.)"
)
SIGNATURE_ALGORITHM = "Authorization header requires '{algorithm}' algorithm. Authorization={authorization}"
SIGNATURE_UNSUPPORTED_ALGORITHM = "Unsupported AWS 'algorithm'"
SIGNATURE_SCOPE = "Credential should be scoped to a valid region, not '{region}'. "
SIGNATURE_DATE = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."

# --- Export to S3, import from S3, bulk operations (the service's words; DynamoDB Local has none) --------

EXPORT_TABLE_NOT_FOUND = "Table not found: {name}"
PITR_NOT_ENABLED = "Point in time recovery is not enabled for table '{name}'"
EXPORT_TIME_IN_FUTURE = "Export time cannot be in the future. Export time: {time}"
EXPORT_TIME_TOO_EARLY = "Export time {time} is before the earliest restorable time {earliest}"
EXPORT_NOT_FOUND = "Export not found: {arn}"
EXPORT_TOKEN_CONFLICT = (
    "Export with client token {token} already exists with different parameters, or is in progress"
)
INCREMENTAL_SPEC_REQUIRED = "IncrementalExportSpecification is required for an incremental export"
INCREMENTAL_SPEC_NOT_ALLOWED = "IncrementalExportSpecification is only valid for an incremental export"
INCREMENTAL_TIMES_REQUIRED = "ExportFromTime is required for an incremental export"
INCREMENTAL_EXPORT_TIME = (
    "ExportTime is not valid for an incremental export; use IncrementalExportSpecification"
)
INCREMENTAL_PERIOD = (
    "The incremental export period must be at least 15 minutes and at most 24 hours; ExportFromTime must "
    "be before ExportToTime"
)
IMPORT_NOT_FOUND = "Import not found: {arn}"
IMPORT_TABLE_EXISTS = "Table already exists: {name}"
IMPORT_TOKEN_CONFLICT = "Import with client token {token} already exists with different parameters"
IMPORT_CSV_OPTIONS_FORMAT = "InputFormatOptions.Csv is only valid for the CSV input format"
IMPORT_NO_SUCH_BUCKET = (
    "The specified bucket does not exist (Service: Amazon S3; Status Code: 404; Error Code: NoSuchBucket; "
    "Bucket: {bucket})"
)
IMPORT_ITEM_VALIDATION = (
    "Some of the items failed validation checks and were not imported. Please check CloudWatch error logs "
    "for more details."
)
S3_WRITE_FAILED = "Failed to write to the S3 bucket {bucket}: {reason}"
S3_OBJECT_UNREADABLE = "The object could not be read: {reason}"
ITEM_INVALID = "The line is not a valid item"
BULK_OPERATION_NOT_FOUND = "Bulk operation not found: {arn}"
BULK_TABLE_NOT_FOUND = "Requested resource not found: Table: {name} not found"
BULK_TOKEN_CONFLICT = "Bulk operation with client token {token} already exists with different parameters"
BULK_NOT_CANCELLABLE = "Bulk operation {arn} cannot be cancelled in status {status}"
BULK_OUTPUT_BUCKET_REQUIRED = "OutputS3Configuration.S3Bucket is required"

# --- Global tables (2019.11.21 replicas, the 2017.11.29 API, replica auto scaling) ------------------------
# Where the service's words were not recorded (DynamoDB Local implements none of this), the wording is the
# emulator's, in the service's style (docs/fidelity.md lists which).

REPLICA_ALREADY_A_TABLE = (
    "Failed to create a the new replica of table with name: '{name}' because one or more replicas already "
    "existed as tables."
)
REPLICATED_WRITE_CONFLICT = (
    "The request was rejected because one or more items in the request are being modified by a request in "
    "another Region."
)
TABLE_BEING_UPDATED = "Attempt to change a resource which is still in use: Table is being updated: {name}"
REPLICA_WRITE_CAPACITY = "Table write capacity should either be Pay-Per-Request or AutoScaled."
REPLICA_NEEDS_STREAM = (
    "One or more parameter values were invalid: Table {name} must have DynamoDB Streams enabled with "
    "StreamViewType NEW_AND_OLD_IMAGES to be a global table replica"
)
REPLICA_UPDATES_ALONE = (
    "One or more parameter values were invalid: ReplicaUpdates cannot be combined with other table updates"
)
REPLICA_UPDATE_ONE_ACTION = (
    "One or more parameter values were invalid: Each ReplicaUpdates entry must have exactly one of Create, "
    "Update or Delete"
)
REPLICA_REGION_INVALID = "One or more parameter values were invalid: {region} is not a valid region name"
REPLICA_REGION_TWICE = "One or more parameter values were invalid: Region {region} appears more than once"
REPLICA_NOT_IN_GROUP = (
    "One or more parameter values were invalid: Region {region} is not a replica of table {name}"
)
REPLICA_LOCAL_DELETE = (
    "One or more parameter values were invalid: The replica in {region} cannot be deleted by a request made "
    "in {region}; call DeleteTable or send the request to another replica's region"
)
REPLICA_INDEX_NOT_FOUND = "One or more parameter values were invalid: Index {index} not found on table {name}"
REPLICA_THROUGHPUT_OVERRIDE = (
    "One or more parameter values were invalid: ProvisionedThroughputOverride is only valid for a table in "
    "PROVISIONED billing mode"
)
REPLICA_ON_DEMAND_OVERRIDE = (
    "One or more parameter values were invalid: OnDemandThroughputOverride is only valid for a table in "
    "PAY_PER_REQUEST billing mode"
)
REPLICA_LEGACY_TABLE = (
    "One or more parameter values were invalid: Table {name} is a global table of version 2017.11.29; "
    "manage its replicas with UpdateGlobalTable"
)
REPLICA_CONSISTENCY_WITHOUT_CREATE = (
    "One or more parameter values were invalid: MultiRegionConsistency can only be specified when creating "
    "a global table with Create replica actions"
)
REPLICA_CONSISTENCY_FIXED = (
    "One or more parameter values were invalid: The consistency mode of global table {name} cannot be changed"
)
STRONG_NOT_EMPTY = (
    "One or more parameter values were invalid: Table {name} must be empty to become a global table with "
    "multi-Region strong consistency"
)
STRONG_THREE_REGIONS = (
    "One or more parameter values were invalid: A global table with multi-Region strong consistency needs "
    "exactly three Regions: three replicas, or two replicas and a witness"
)
STRONG_REGION_SET = (
    "One or more parameter values were invalid: Regions {regions} are not all in one Region set supported by "
    "multi-Region strong consistency"
)
STRONG_NO_NEW_REPLICA = (
    "One or more parameter values were invalid: Replicas cannot be added to global table {name} with "
    "multi-Region strong consistency"
)
STRONG_PARTIAL_DELETE = (
    "One or more parameter values were invalid: A global table with multi-Region strong consistency keeps "
    "three Regions, or is deleted down to one replica in one request"
)
WITNESS_WITHOUT_STRONG = (
    "One or more parameter values were invalid: A witness is only valid for a global table with "
    "multi-Region strong consistency"
)
WITNESS_ONE_UPDATE = (
    "One or more parameter values were invalid: Only one witness can be created or deleted at a time"
)
WITNESS_NOT_FOUND = (
    "One or more parameter values were invalid: Region {region} is not a witness of table {name}"
)
GLOBAL_TABLE_NOT_FOUND = "Global table not found: Global table with name: '{name}' does not exist."
GLOBAL_TABLE_EXISTS = "Global table with this name already exists"
GLOBAL_TABLE_TABLE_NOT_FOUND = "Table: {name} not found in region: {region}"
GLOBAL_TABLE_NOT_EMPTY = "Table: {name} in region: {region} must be empty to join a global table"
GLOBAL_TABLE_MISMATCH = (
    "One or more parameter values were invalid: Table {name} in region {region} does not match the other "
    "replicas: {what}"
)
GLOBAL_TABLE_REPLICA_EXISTS = "Replica already exists in region: {region}"
GLOBAL_TABLE_REPLICA_NOT_FOUND = "Replica not found in region: {region}"
GLOBAL_TABLE_INDEX_NOT_FOUND = "Requested resource not found: Index: {index} not found"
AUTOSCALING_PROVISIONED_ONLY = (
    "One or more parameter values were invalid: Auto scaling applies to tables in PROVISIONED billing mode; "
    "table {name} is PAY_PER_REQUEST"
)
AUTOSCALING_BOUNDS = (
    "One or more parameter values were invalid: MinimumUnits ({minimum}) must not exceed MaximumUnits "
    "({maximum})"
)
BULK_TABLE_NOT_ACTIVE = "Table {name} is {status}: a bulk put needs an ACTIVE table"

# --- backups and point-in-time recovery (docs/emulator.md; DynamoDB Local 3.3.0 has none of these
# operations, so the words follow the API reference's error descriptions and the service's usual forms) ---
BACKUP_TABLE_NOT_FOUND = "Table not found: {name}"
BACKUP_NOT_FOUND = "Backup not found: {arn}"
BACKUP_TARGET_EXISTS = "Table already exists: {name}"
BACKUP_IN_USE = "Backup is being created or restored: {arn}"
BACKUP_TABLE_IN_USE = "Table is being restored or backed up: {name}"
RESTORE_TIME_OUT_OF_WINDOW = (
    "An invalid restore time was specified. RestoreDateTime must be between EarliestRestorableDateTime "
    "and LatestRestorableDateTime."
)
RESTORE_TIME_OR_LATEST = "Only one of RestoreDateTime or UseLatestRestorableTime may be specified"
RESTORE_NO_TIME = "Either RestoreDateTime or UseLatestRestorableTime must be specified"
RESTORE_SOURCE_ONE = "Either SourceTableArn or SourceTableName must be specified, but not both"
RESTORE_PROVISIONED_NEEDS_THROUGHPUT = (
    "ProvisionedThroughputOverride must be specified when restoring with billing mode PROVISIONED from a "
    "table or backup whose billing mode is PAY_PER_REQUEST"
)
RESTORE_PPR_WITH_THROUGHPUT = (
    "ProvisionedThroughputOverride cannot be specified when the restored table's billing mode is "
    "PAY_PER_REQUEST"
)
PITR_DISABLED_WITH_PERIOD = "RecoveryPeriodInDays can only be set when enabling point in time recovery"
CONTINUOUS_BACKUPS_UNAVAILABLE = "Backups are being enabled for the table. Please retry later"
PITR_ENABLED_REQUIRED = "PointInTimeRecoveryEnabled is required in PointInTimeRecoverySpecification"

# --- Resource policies, contributor insights, Kinesis destinations, warm throughput ---------------------
# DynamoDB Local implements none of these; the words are the service's where AWS documents them, else the
# emulator's own in the service's style (docs/emulator.md says which).

POLICY_NOT_FOUND = "Resource-based policy not found for the provided ResourceArn: {arn}"
POLICY_REVISION_MISMATCH = (
    "A resource-based policy with the revision id {expected} was not found for the provided ResourceArn: "
    "{arn}"
)
POLICY_RESOURCE_NOT_FOUND = "Requested resource not found: ResourceArn: {arn} not found"
POLICY_TOO_LARGE = (
    "Resource-based policy size {size} exceeds the maximum allowed size of {limit} bytes for the resource "
    "{arn}"
)
POLICY_MALFORMED = "Invalid policy document: {reason}"
POLICY_REMOVES_SELF_ACCESS = (
    "The policy would remove your permission to change it (it denies dynamodb:PutResourcePolicy to every "
    "principal or to the account): set ConfirmRemoveSelfResourceAccess to true to confirm"
)
INSIGHTS_INDEX_NOT_FOUND = "Requested resource not found: Index: {index} not found for table: {name}"
INVALID_NEXT_TOKEN = "Invalid NextToken: {token}"
KINESIS_STREAM_ARN_INVALID = "Invalid StreamArn: {arn}"
KINESIS_ALREADY_ENABLED = (
    "Table {name} already has an enabled Kinesis streaming destination for the stream {arn}"
)
KINESIS_NOT_ENABLED = "Table {name} has no enabled Kinesis streaming destination for the stream {arn}"
KINESIS_IN_TRANSITION = "Kinesis streaming destination {arn} of table {name} is {status}; try again later"
KINESIS_SAME_PRECISION = "The ApproximateCreationDateTimePrecision is already {precision}"
KINESIS_NOTHING_TO_UPDATE = "UpdateKinesisStreamingConfiguration is required"
WARM_THROUGHPUT_DECREASE = (
    "One or more parameter values were invalid: Warm throughput cannot be decreased: the {which} units per "
    "second of {current} cannot go down to {asked}"
)
WARM_THROUGHPUT_EMPTY = (
    "One or more parameter values were invalid: WarmThroughput must specify ReadUnitsPerSecond or "
    "WriteUnitsPerSecond"
)
ON_DEMAND_THROUGHPUT_INVALID = (
    "One or more parameter values were invalid: {member} must be -1 (no maximum) or a positive number, "
    "not {value}"
)
TABLE_BEING_CREATED = "Attempt to change a resource which is still in use: Table is being created: {name}"
INDEX_BACKFILLING = "Cannot read from backfilling global secondary index: {index}"

# --- named snapshots over the server's admin routes (``named_snapshots``) ---
SNAPSHOTS_SHARED_ONLY = "named snapshots are of the shared database (not --db-per-access-key)"
SNAPSHOT_BODY_NOT_JSON = "the body must be a JSON object: {reason}"
SNAPSHOT_BODY_NOT_OBJECT = "the body must be a JSON object"
SNAPSHOT_LOAD_NEEDS_PATH = "the body must name the folder: a JSON object with a path member"
