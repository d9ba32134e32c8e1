"""Prelude of the emulator's fragments: ``emu``, its direct ``client``, and two tables.

``things`` (partition key ``pk``) and ``orders`` (partition key ``pk``, a stream with both images).
"""

from theorydb_mocks import DynamoDBEmulator

emu = DynamoDBEmulator()
client = emu.client()
for _name, _stream in (("things", None), ("orders", "NEW_AND_OLD_IMAGES")):
    client.create_table(
        TableName=_name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **({"StreamSpecification": {"StreamEnabled": True, "StreamViewType": _stream}} if _stream else {}),
    )
