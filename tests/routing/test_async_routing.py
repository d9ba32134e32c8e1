"""aiobotocore clients inside ``mock_dynamodb`` are answered in-process, like botocore ones; none leaves.

Runs where the ``async`` extra is installed (``pip install -e '.[test,async]'``; ``.ci/run`` does so in a
second virtualenv, since aiobotocore pins an older botocore than the rest of the suite uses). Every test
here runs with AWS credentials set and the network closed: a socket that tries to connect fails the test.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from theorydb_mocks import DynamoDBEmulator, mock_dynamodb
from theorydb_mocks.emulator.routing import UnroutedRequestError

aiobotocore_session = pytest.importorskip(
    "aiobotocore.session", reason="the async extra is not installed: pip install -e '.[test,async]'"
)

from tests.routing.test_fail_closed import network_closed  # noqa: E402  (the same guard, reused)

__all__ = ["network_closed"]

TABLE = {
    "TableName": "things",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "N"},
    ],
    "BillingMode": "PAY_PER_REQUEST",
    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
}


@pytest.fixture(autouse=True)
def aws_credentials(monkeypatch: pytest.MonkeyPatch, network_closed: list[str]) -> Iterator[None]:
    """Real-looking credentials and a region, so a request that escaped would be signed and sent."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    yield


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_an_aiobotocore_client_made_inside_is_answered_by_the_blocks_emulator() -> None:
    async def scenario() -> tuple[Any, ...]:
        session = aiobotocore_session.get_session()
        async with session.create_client("dynamodb") as client:
            await client.create_table(**TABLE)
            await client.put_item(
                TableName="things", Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "x"}}
            )
            got = await client.get_item(TableName="things", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
            page = await client.query(
                TableName="things",
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "a"}},
            )
            region = client.meta.region_name
        return got["Item"], page["Count"], region

    with mock_dynamodb() as emu:
        item, count, region = run(scenario())
        local = emu.client(region_name="eu-west-1")  # the region the client is configured for
        seen = local.get_item(TableName="things", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})["Item"]
    assert item == seen == {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "x"}}
    assert count == 1
    assert region == "eu-west-1"  # the configured region is kept, as for botocore clients
    assert emu.client().list_tables()["TableNames"] == []  # and answered by that region only


def test_errors_come_back_as_aiobotocore_client_errors() -> None:
    async def scenario() -> str:
        async with aiobotocore_session.get_session().create_client("dynamodb") as client:
            await client.create_table(**TABLE)
            item = {"pk": {"S": "a"}, "sk": {"N": "1"}}
            await client.put_item(TableName="things", Item=item)
            try:
                await client.put_item(
                    TableName="things", Item=item, ConditionExpression="attribute_not_exists(pk)"
                )
            except client.exceptions.ConditionalCheckFailedException as err:
                return str(err.response["Error"]["Message"])
        raise AssertionError("the condition did not fail")

    with mock_dynamodb():
        assert run(scenario()) == "The conditional request failed"


def test_streams_clients_are_routed_too() -> None:
    async def scenario() -> list[str]:
        session = aiobotocore_session.get_session()
        async with (
            session.create_client("dynamodb") as ddb,
            session.create_client("dynamodbstreams") as streams,
        ):
            arn = (await ddb.create_table(**TABLE))["TableDescription"]["LatestStreamArn"]
            await ddb.put_item(TableName="things", Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
            await ddb.delete_item(TableName="things", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
            shard = (await streams.describe_stream(StreamArn=arn))["StreamDescription"]["Shards"][0]
            iterator = (
                await streams.get_shard_iterator(
                    StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
                )
            )["ShardIterator"]
            records = (await streams.get_records(ShardIterator=iterator))["Records"]
        return [record["eventName"] for record in records]

    with mock_dynamodb():
        assert run(scenario()) == ["INSERT", "REMOVE"]


def test_concurrent_tasks_each_get_their_own_answer() -> None:
    async def scenario() -> list[str]:
        async with aiobotocore_session.get_session().create_client("dynamodb") as client:
            await client.create_table(**TABLE)
            await asyncio.gather(
                *(
                    client.put_item(TableName="things", Item={"pk": {"S": f"k{i}"}, "sk": {"N": str(i)}})
                    for i in range(40)
                )
            )
            answers = await asyncio.gather(
                *(
                    client.get_item(TableName="things", Key={"pk": {"S": f"k{i}"}, "sk": {"N": str(i)}})
                    for i in range(40)
                )
            )
        return [answer["Item"]["pk"]["S"] for answer in answers]

    with mock_dynamodb():
        assert run(scenario()) == [f"k{i}" for i in range(40)]


def test_throttles_are_retried_by_aiobotocores_own_retry_handler() -> None:
    from aiobotocore.config import AioConfig

    async def scenario(emu: DynamoDBEmulator) -> int:
        config = AioConfig(retries={"mode": "standard", "max_attempts": 3})
        async with aiobotocore_session.get_session().create_client("dynamodb", config=config) as client:
            await client.create_table(**TABLE)
            emu.faults.throttle("PutItem", times=2)
            answer = await client.put_item(TableName="things", Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
        return int(answer["ResponseMetadata"]["RetryAttempts"])

    with mock_dynamodb() as emu:
        assert run(scenario(emu)) == 2


def test_a_client_made_before_the_block_is_answered_inside_it() -> None:
    async def scenario() -> None:
        async with aiobotocore_session.get_session().create_client("dynamodb") as client:
            with mock_dynamodb() as emu:
                emu.client(region_name="eu-west-1").create_table(**TABLE)
                names = (await client.list_tables())["TableNames"]
                assert names == ["things"]

    run(scenario())


def test_a_request_no_routing_answered_is_refused_not_sent() -> None:
    """The aiohttp session itself refuses an AWS DynamoDB request while a block is active."""
    from aiobotocore.httpsession import AIOHTTPSession
    from botocore.awsrequest import AWSRequest

    request = AWSRequest(
        method="POST",
        url="https://dynamodb.eu-west-1.amazonaws.com/",
        headers={"X-Amz-Target": "DynamoDB_20120810.ListTables"},
        data=b"{}",
    ).prepare()

    async def scenario() -> None:
        async with AIOHTTPSession() as http:
            await http.send(request)

    with (
        mock_dynamodb(),
        pytest.raises(UnroutedRequestError, match=r"refused ListTables to dynamodb\.eu-west-1"),
    ):
        run(scenario())
