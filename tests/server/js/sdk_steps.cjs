// Runs create table, put, get, query (and, when asked, a transaction and a stream read) with the AWS SDK for
// JavaScript v3 against the endpoint in argv[2]; prints one JSON object with what came back.
"use strict";
const ddb = require("@aws-sdk/client-dynamodb");
const streams = require("@aws-sdk/client-dynamodb-streams");

async function main() {
  const [endpoint, table, ...flags] = process.argv.slice(2);
  const options = {
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  };
  const client = new ddb.DynamoDBClient(options);
  const out = {};
  const created = await client.send(new ddb.CreateTableCommand({
    TableName: table,
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
    BillingMode: "PAY_PER_REQUEST",
    StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
  }));
  out.status = created.TableDescription.TableStatus;
  out.created = created.TableDescription.CreationDateTime instanceof Date;
  await client.send(new ddb.PutItemCommand({
    TableName: table,
    Item: { pk: { S: "a" }, sk: { N: "1" }, blob: { B: Uint8Array.from([0, 1, 255]) }, n: { N: "1.5" } },
  }));
  const got = await client.send(new ddb.GetItemCommand({ TableName: table, Key: { pk: { S: "a" }, sk: { N: "1" } } }));
  out.blob = Array.from(got.Item.blob.B);
  out.n = got.Item.n.N;
  const page = await client.send(new ddb.QueryCommand({
    TableName: table,
    KeyConditionExpression: "pk = :p AND sk >= :s",
    ExpressionAttributeValues: { ":p": { S: "a" }, ":s": { N: "0" } },
  }));
  out.count = page.Count;
  try {
    await client.send(new ddb.GetItemCommand({ TableName: table + "-missing", Key: { pk: { S: "a" } } }));
  } catch (err) {
    out.error = { name: err.name, message: err.message, status: err.$metadata.httpStatusCode };
  }
  if (flags.includes("--transactions")) {
    await client.send(new ddb.TransactWriteItemsCommand({ TransactItems: [
      { Put: { TableName: table, Item: { pk: { S: "t" }, sk: { N: "1" } } } },
      { Update: {
        TableName: table, Key: { pk: { S: "a" }, sk: { N: "1" } },
        UpdateExpression: "SET n = n + :one", ExpressionAttributeValues: { ":one": { N: "1" } },
      } },
    ] }));
    try {
      await client.send(new ddb.TransactWriteItemsCommand({ TransactItems: [
        { ConditionCheck: {
          TableName: table, Key: { pk: { S: "a" }, sk: { N: "1" } }, ConditionExpression: "attribute_not_exists(pk)",
        } },
      ] }));
    } catch (err) {
      out.cancelled = { name: err.name, codes: (err.CancellationReasons || []).map((r) => r.Code) };
    }
    const after = await client.send(new ddb.GetItemCommand({ TableName: table, Key: { pk: { S: "a" }, sk: { N: "1" } } }));
    out.afterTransaction = after.Item.n.N;
  }
  if (flags.includes("--streams")) {
    const described = await client.send(new ddb.DescribeTableCommand({ TableName: table }));
    const streamClient = new streams.DynamoDBStreamsClient(options);
    const stream = await streamClient.send(new streams.DescribeStreamCommand({ StreamArn: described.Table.LatestStreamArn }));
    const records = [];
    for (const shard of stream.StreamDescription.Shards) {
      const it = await streamClient.send(new streams.GetShardIteratorCommand({
        StreamArn: described.Table.LatestStreamArn, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON",
      }));
      const got = await streamClient.send(new streams.GetRecordsCommand({ ShardIterator: it.ShardIterator }));
      for (const r of got.Records) records.push({ event: r.eventName, keys: r.dynamodb.Keys });
    }
    out.streamRecords = records;
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => {
  process.stderr.write(`${err.name}: ${err.message}\n${err.stack}\n`);
  process.exit(1);
});
