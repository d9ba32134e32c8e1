"""Prelude of the encryption fragments: a ``Customer`` model with an encrypted field, on an emulator.

``CUSTOMERS`` (table ``customers``, with a stream of both images), ``KEY_ARN``, a fake KMS ``kms``, the
emulator ``emu`` and its client ``ddb``; one customer is written, so ``event`` holds a stream record to read.
"""

from dataclasses import dataclass

from theorydb_mocks import DynamoDBEmulator, FakeKmsClient
from theorydb_py import ModelDefinition, Table, create_table, theorydb_field


@dataclass
class Customer:
    id: str = theorydb_field(roles="pk")
    name: str = ""
    ssn: str = theorydb_field(encrypted=True, default="")


CUSTOMERS = ModelDefinition.from_dataclass(Customer, table_name="customers")
KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/app"
kms = FakeKmsClient(key_id=KEY_ARN)
emu = DynamoDBEmulator()
ddb = emu.client()
create_table(CUSTOMERS, client=ddb, stream_view_type="NEW_AND_OLD_IMAGES")
Table(CUSTOMERS, client=ddb, kms_key_arn=KEY_ARN, kms_client=kms).put(Customer("c1", "Ann", "123-45-6789"))
event = {"Records": emu.stream_records("customers")}
