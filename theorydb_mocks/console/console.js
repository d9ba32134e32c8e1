// The emulator's console. Everything it shows comes from the DynamoDB and DynamoDB Streams JSON API
// (POST / with X-Amz-Target, as any SDK sends), except the capacity ledger (GET /_theorydb/ledger).
"use strict";

const $ = (id) => document.getElementById(id);
const state = { table: null, description: null, pages: [undefined], page: 0, items: [], open: null };

// --- talking to the emulator ----------------------------------------------------------------------

function authorization() {
  const key = $("access-key").value.trim();
  const region = $("region").value.trim();
  if (!key && !region) return null;
  // Names the credential (database) only; not a signature (the server does not verify one by default).
  return `AWS4-HMAC-SHA256 Credential=${key || "console"}/19700101/${region || "us-east-1"}/dynamodb/aws4_request, ` +
    "SignedHeaders=host;x-amz-target, Signature=0";
}

async function call(operation, body, service = "DynamoDB_20120810") {
  const headers = { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": `${service}.${operation}` };
  const auth = authorization();
  if (auth) headers.Authorization = auth;
  const answer = await fetch("/", { method: "POST", headers, body: JSON.stringify(body) });
  const data = await answer.json();
  if (!answer.ok) {
    const code = String(data.__type || "Error").split("#").pop();
    throw new Error(`${operation}: ${code}: ${data.message || data.Message || ""}`);
  }
  return data;
}

const streams = (operation, body) => call(operation, body, "DynamoDBStreams_20120810");

function say(text, error = false) {
  const status = $("status");
  status.textContent = text;
  status.className = error ? "error" : "";
}

async function guarded(work) {
  try {
    await work();
  } catch (err) {
    say(err.message, true);
  }
}

// --- values -----------------------------------------------------------------------------------------

function shown(value) {
  const [type] = Object.keys(value);
  const inner = value[type];
  switch (type) {
    case "S": case "N": return inner;
    case "B": return `b64:${inner}`;
    case "BOOL": return String(inner);
    case "NULL": return "null";
    case "SS": case "NS": return `{${inner.join(", ")}}`;
    case "BS": return `{${inner.map((b) => `b64:${b}`).join(", ")}}`;
    default: return JSON.stringify(inner);
  }
}

function typed(text, type) {
  if (type === "N") return { N: text.trim() };
  if (type === "B") return { B: text.trim() };
  return { S: text };
}

function cell(row, value) {
  const td = row.insertCell();
  if (value === undefined) {
    td.className = "missing";
    return td;
  }
  const [type] = Object.keys(value);
  const tag = document.createElement("span");
  tag.className = "type";
  tag.textContent = type;
  td.append(tag, document.createTextNode(shown(value)));
  td.title = JSON.stringify(value);
  return td;
}

// --- tables -----------------------------------------------------------------------------------------

function keyNames(schema) {
  const hash = schema.find((k) => k.KeyType === "HASH");
  const range = schema.find((k) => k.KeyType === "RANGE");
  return [hash && hash.AttributeName, range && range.AttributeName].filter(Boolean);
}

function attributeType(name) {
  const found = state.description.AttributeDefinitions.find((d) => d.AttributeName === name);
  return found ? found.AttributeType : "S";
}

async function loadTables() {
  const names = [];
  let start;
  do {
    const page = await call("ListTables", start ? { ExclusiveStartTableName: start } : {});
    names.push(...page.TableNames);
    start = page.LastEvaluatedTableName;
  } while (start);
  const entries = [];
  for (const name of names) {
    const { Table: table } = await call("DescribeTable", { TableName: name });
    const li = document.createElement("li");
    li.dataset.table = name;
    const count = document.createElement("span");
    count.className = "count";
    count.textContent = `${table.ItemCount} items`;
    const keys = document.createElement("span");
    keys.className = "keys";
    const indexes = (table.GlobalSecondaryIndexes || []).length + (table.LocalSecondaryIndexes || []).length;
    keys.textContent = keyNames(table.KeySchema).join(", ") + (indexes ? ` · ${indexes} index${indexes > 1 ? "es" : ""}` : "");
    li.append(count, document.createTextNode(name), keys);
    if (name === state.table) li.classList.add("selected");
    li.addEventListener("click", () => guarded(() => openTable(name)));
    entries.push(li);
  }
  $("tables").replaceChildren(...entries);  // all at once: the list is never half-drawn
  say(names.length ? `${names.length} table${names.length > 1 ? "s" : ""}` : "No tables yet");
}

function indexLine(kind, index) {
  const projection = index.Projection ? index.Projection.ProjectionType : "";
  return `${kind} <code>${index.IndexName}</code> (${keyNames(index.KeySchema).join(", ")}; ${projection}` +
    `${index.ItemCount !== undefined ? `; ${index.ItemCount} items` : ""})`;
}

async function openTable(name) {
  const { Table: table } = await call("DescribeTable", { TableName: name });
  Object.assign(state, { table: name, description: table, pages: [undefined], page: 0, open: null });
  for (const li of $("tables").children) li.classList.toggle("selected", li.dataset.table === name);
  $("ledger-view").hidden = true;
  $("table-view").hidden = false;
  $("table-name").textContent = name;
  const lines = [
    `key <code>${keyNames(table.KeySchema).map((k) => `${k} (${attributeType(k)})`).join(", ")}</code>`,
    `${table.ItemCount} items, ${table.TableSizeBytes} bytes, ${table.TableStatus}`,
    `billing ${table.BillingModeSummary ? table.BillingModeSummary.BillingMode : "PROVISIONED"}`,
    table.StreamSpecification && table.StreamSpecification.StreamEnabled
      ? `stream ${table.StreamSpecification.StreamViewType}` : "no stream",
  ];
  const indexes = [
    ...(table.GlobalSecondaryIndexes || []).map((i) => indexLine("GSI", i)),
    ...(table.LocalSecondaryIndexes || []).map((i) => indexLine("LSI", i)),
  ];
  $("table-summary").innerHTML = lines.join(" · ") + (indexes.length ? `<br>${indexes.join("<br>")}` : "");
  const select = $("index");
  select.replaceChildren(new Option("table", ""));
  for (const index of [...(table.GlobalSecondaryIndexes || []), ...(table.LocalSecondaryIndexes || [])]) {
    select.append(new Option(index.IndexName, index.IndexName));
  }
  showKeyFields();
  closeEditor();
  switchTab("items-panel");
  await runSearch(true);
}

function currentKeys() {
  const name = $("index").value;
  if (!name) return keyNames(state.description.KeySchema);
  const all = [...(state.description.GlobalSecondaryIndexes || []), ...(state.description.LocalSecondaryIndexes || [])];
  return keyNames(all.find((i) => i.IndexName === name).KeySchema);
}

function showKeyFields() {
  const [pk, sk] = currentKeys();
  $("pk-name").textContent = pk;
  $("sk-name").textContent = sk || "";
  $("sk-label").hidden = !sk;
  $("key-condition").disabled = !$("mode-query").checked;
}

// --- browse, query, scan ----------------------------------------------------------------------------

function searchRequest() {
  const request = { TableName: state.table, Limit: Number($("page-size").value) || 25 };
  const index = $("index").value;
  if (index) request.IndexName = index;
  const names = {};
  const values = {};
  const filter = $("filter").value.trim();
  if (filter) {
    request.FilterExpression = filter;
    Object.assign(names, JSON.parse($("filter-names").value.trim() || "{}"));
    Object.assign(values, JSON.parse($("filter-values").value.trim() || "{}"));
  }
  if ($("mode-query").checked) {
    const [pk, sk] = currentKeys();
    names["#console_pk"] = pk;
    values[":console_pk"] = typed($("pk-value").value, attributeType(pk));
    let condition = "#console_pk = :console_pk";
    const op = $("sk-op").value;
    if (sk && op) {
      names["#console_sk"] = sk;
      values[":console_sk"] = typed($("sk-value").value, attributeType(sk));
      if (op === "begins_with") condition += " AND begins_with(#console_sk, :console_sk)";
      else if (op === "between") {
        values[":console_sk2"] = typed($("sk-value2").value, attributeType(sk));
        condition += " AND #console_sk BETWEEN :console_sk AND :console_sk2";
      } else condition += ` AND #console_sk ${op} :console_sk`;
    }
    request.KeyConditionExpression = condition;
    if ($("descending").checked) request.ScanIndexForward = false;
  }
  if (Object.keys(names).length) request.ExpressionAttributeNames = names;
  if (Object.keys(values).length) request.ExpressionAttributeValues = values;
  const start = state.pages[state.page];
  if (start) request.ExclusiveStartKey = start;
  return request;
}

async function runSearch(fromStart) {
  if (fromStart) Object.assign(state, { pages: [undefined], page: 0 });
  const mode = $("mode-query").checked ? "Query" : "Scan";
  const answer = await call(mode, searchRequest());
  state.items = answer.Items;
  state.pages.length = state.page + 1;
  if (answer.LastEvaluatedKey) state.pages.push(answer.LastEvaluatedKey);
  renderItems(answer);
  say(`${mode} of ${state.table}: page ${state.page + 1}, ${answer.Count} items (${answer.ScannedCount} read)`);
}

function renderItems(answer) {
  const keys = [...keyNames(state.description.KeySchema)];
  for (const k of currentKeys()) if (!keys.includes(k)) keys.push(k);
  const others = new Set();
  for (const item of state.items) for (const name of Object.keys(item)) if (!keys.includes(name)) others.add(name);
  const columns = [...keys, ...[...others].sort()];
  const head = $("results").tHead;
  head.replaceChildren();
  const headRow = head.insertRow();
  for (const name of columns) {
    const th = document.createElement("th");
    th.textContent = name;
    if (keys.includes(name)) th.className = "key";
    headRow.append(th);
  }
  const body = $("results").tBodies[0];
  body.replaceChildren();
  state.items.forEach((item, position) => {
    const row = body.insertRow();
    row.dataset.position = position;
    for (const name of columns) cell(row, item[name]);
    row.addEventListener("click", () => guarded(() => openItem(position)));
  });
  $("page-info").textContent = `Page ${state.page + 1}: ${answer.Count} items, ${answer.ScannedCount} read` +
    (answer.LastEvaluatedKey ? "; more after this page" : "; last page");
  $("prev-page").disabled = state.page === 0;
  $("next-page").disabled = state.pages.length <= state.page + 1;
}

// --- one item ---------------------------------------------------------------------------------------

function tableKey(item) {
  const key = {};
  for (const name of keyNames(state.description.KeySchema)) key[name] = item[name];
  return key;
}

async function openItem(position) {
  // An index may project only some attributes: the item is read from the table itself.
  const key = tableKey(state.items[position]);
  const answer = await call("GetItem", { TableName: state.table, Key: key, ConsistentRead: true });
  for (const row of $("results").tBodies[0].rows) row.classList.toggle("open", Number(row.dataset.position) === position);
  showEditor(answer.Item || state.items[position], "Item");
}

function showEditor(item, title) {
  state.open = item;
  $("editor-title").textContent = title;
  $("item-json").value = JSON.stringify(item, null, 2);
  $("delete-item").disabled = !item || !Object.keys(item).length;
  $("item-editor").hidden = false;
}

function closeEditor() {
  state.open = null;
  $("item-editor").hidden = true;
}

async function saveItem() {
  let item;
  try {
    item = JSON.parse($("item-json").value);
  } catch (err) {
    throw new Error(`Not JSON: ${err.message}`);
  }
  await call("PutItem", { TableName: state.table, Item: item });
  state.open = item;
  $("delete-item").disabled = false;
  await runSearch(false);
  await loadTables();  // the counts changed
  say(`Saved ${JSON.stringify(tableKey(item))}`);
}

async function deleteItem() {
  const key = tableKey(state.open);
  await call("DeleteItem", { TableName: state.table, Key: key });
  closeEditor();
  await runSearch(false);
  await loadTables();
  say(`Deleted ${JSON.stringify(key)}`);
}

// --- stream -----------------------------------------------------------------------------------------

async function loadStream() {
  const arn = state.description.LatestStreamArn;
  const body = $("stream-records").tBodies[0];
  body.replaceChildren();
  if (!arn) {
    $("stream-info").textContent = "This table has no stream (StreamSpecification).";
    return;
  }
  const { StreamDescription: stream } = await streams("DescribeStream", { StreamArn: arn });
  let total = 0;
  for (const shard of stream.Shards) {
    let { ShardIterator: iterator } = await streams("GetShardIterator", {
      StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON",
    });
    for (let reads = 0; iterator && reads < 100; reads++) {
      const page = await streams("GetRecords", { ShardIterator: iterator, Limit: 1000 });
      for (const record of page.Records) {
        const row = body.insertRow();
        const change = record.dynamodb;
        row.insertCell().textContent = change.SequenceNumber;
        row.insertCell().textContent = record.eventName;
        row.insertCell().textContent = new Date(change.ApproximateCreationDateTime * 1000).toISOString();
        for (const image of [change.Keys, change.OldImage, change.NewImage]) {
          const td = row.insertCell();
          td.textContent = image ? Object.entries(image).map(([k, v]) => `${k}=${shown(v)}`).join(" ") : "";
          td.title = image ? JSON.stringify(image) : "";
        }
        total += 1;
      }
      if (!page.Records.length) break;
      iterator = page.NextShardIterator;
    }
  }
  $("stream-info").textContent = `${stream.StreamViewType} stream ${stream.StreamLabel}: ${total} records in ` +
    `${stream.Shards.length} shard${stream.Shards.length === 1 ? "" : "s"}`;
}

function switchTab(id) {
  for (const tab of document.querySelectorAll(".tab")) tab.classList.toggle("active", tab.dataset.tab === id);
  for (const panel of document.querySelectorAll(".panel")) panel.hidden = panel.id !== id;
}

// --- capacity ledger --------------------------------------------------------------------------------

const SVG = "http://www.w3.org/2000/svg";
const COLORS = { read: "#2b6cb0", write: "#dd6b20" };

function svgNode(name, attributes, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function totalsChart(totals) {
  const rows = new Map();
  for (const entry of totals) {
    const label = `${entry.table}${entry.index ? `/${entry.index}` : ""} · ${entry.operation}`;
    const row = rows.get(label) || { label, read: 0, write: 0 };
    row[entry.kind] += entry.units;
    rows.set(label, row);
  }
  const data = [...rows.values()].sort((a, b) => (b.read + b.write) - (a.read + a.write));
  const max = Math.max(1, ...data.map((d) => d.read + d.write));
  const width = 720, labelWidth = 260, barHeight = 18;
  const svg = svgNode("svg", { width, height: Math.max(1, data.length) * (barHeight + 4) + 4, id: "ledger-chart" });
  data.forEach((d, i) => {
    const y = 2 + i * (barHeight + 4);
    svg.append(svgNode("text", { x: 0, y: y + 13 }, d.label));
    let x = labelWidth;
    for (const kind of ["read", "write"]) {
      const w = (d[kind] / max) * (width - labelWidth - 90);
      if (w > 0) {
        const bar = svgNode("rect", { x, y, width: w, height: barHeight, fill: COLORS[kind] });
        bar.append(svgNode("title", {}, `${d[kind]} ${kind} units`));
        svg.append(bar);
      }
      x += w;
    }
    svg.append(svgNode("text", { x: x + 4, y: y + 13 }, `${+(d.read + d.write).toFixed(2)}`));
  });
  return data.length ? svg : document.createTextNode("No capacity consumed yet.");
}

function recentChart(recent) {
  const width = 720, height = 120;
  const max = Math.max(1, ...recent.map((e) => e.units));
  const step = recent.length ? width / recent.length : width;
  const svg = svgNode("svg", { width, height: height + 16 });
  recent.forEach((entry, i) => {
    const h = (entry.units / max) * height;
    const bar = svgNode("rect", {
      x: i * step, y: height - h, width: Math.max(1, step - 1), height: h, fill: COLORS[entry.kind],
    });
    bar.append(svgNode("title", {}, `${entry.operation} ${entry.table}${entry.index ? `/${entry.index}` : ""}: ${entry.units} ${entry.kind} units`));
    svg.append(bar);
  });
  svg.append(svgNode("text", { x: 0, y: height + 13 }, `last ${recent.length} table and index shares, oldest left; tallest ${max} units`));
  return svg;
}

async function showLedger() {
  const headers = {};
  const auth = authorization();
  if (auth) headers.Authorization = auth;
  const answer = await fetch("/_theorydb/ledger", { headers });
  const data = await answer.json();
  if (!answer.ok) throw new Error(`ledger: ${data.message || answer.status}`);
  $("table-view").hidden = true;
  $("ledger-view").hidden = false;
  $("ledger-totals").replaceChildren(totalsChart(data.totals));
  $("ledger-recent").replaceChildren(recentChart(data.recent));
  const units = data.totals.reduce((sum, e) => sum + e.units, 0);
  say(`Capacity ledger: ${+units.toFixed(2)} units in all`);
}

// --- wiring -----------------------------------------------------------------------------------------

$("identity").addEventListener("submit", (event) => {
  event.preventDefault();
  guarded(async () => {
    await loadTables();
    if (state.table && !$("table-view").hidden) await openTable(state.table);
  });
});
$("search").addEventListener("submit", (event) => {
  event.preventDefault();
  guarded(() => runSearch(true));
});
for (const radio of document.getElementsByName("mode")) radio.addEventListener("change", showKeyFields);
$("index").addEventListener("change", showKeyFields);
$("sk-op").addEventListener("change", () => { $("sk-value2").hidden = $("sk-op").value !== "between"; });
$("prev-page").addEventListener("click", () => guarded(() => { state.page -= 1; return runSearch(false); }));
$("next-page").addEventListener("click", () => guarded(() => { state.page += 1; return runSearch(false); }));
$("new-item").addEventListener("click", () => {
  const item = {};
  for (const name of keyNames(state.description.KeySchema)) item[name] = { [attributeType(name)]: "" };
  showEditor(item, "New item");
  $("delete-item").disabled = true;
});
$("save-item").addEventListener("click", () => guarded(saveItem));
$("delete-item").addEventListener("click", () => guarded(deleteItem));
$("close-item").addEventListener("click", closeEditor);
for (const tab of document.querySelectorAll(".tab")) {
  tab.addEventListener("click", () => guarded(async () => {
    switchTab(tab.dataset.tab);
    if (tab.dataset.tab === "stream-panel") await loadStream();
  }));
}
$("show-ledger").addEventListener("click", (event) => {
  event.preventDefault();
  guarded(showLedger);
});
guarded(loadTables);
