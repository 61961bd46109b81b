#!/usr/bin/python3
"""Cross-checks Vigil's registry wire format with Confluent's own Python client.

Driven by dev.vigil.serde.ConfluentPythonClientIT. Uses the legacy confluent_kafka.avro
serializer (CachedSchemaRegistryClient + MessageSerializer) from Debian's python3-confluent-kafka
and python3-avro, against the registry URL given as the only argument.

Reads one JSON request per line on stdin and answers one JSON line on stdout per request:
  {"op": "decode", "hex": "<framed bytes Vigil wrote>"}
      -> {"schema_id": n, "record": {...}}
  {"op": "encode", "topic": "t", "record": {...}}
      -> {"schema_id": n, "hex": "<framed bytes>"}   (schema: latest registered under t-value)
Records are plain JSON: timestamps as epoch milliseconds, enums as symbols.
"""
import datetime
import json
import sys

from confluent_kafka.avro import CachedSchemaRegistryClient
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
MILLI = datetime.timedelta(milliseconds=1)


def to_plain(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return (value - EPOCH) // MILLI
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    return value


def from_plain(schema, value):
    """Plain JSON to what the avro library writes: datetimes for timestamp-millis, floats for doubles."""
    if value is None:
        return None
    if schema.type == "union":
        branch = next(s for s in schema.schemas if s.type != "null")
        return from_plain(branch, value)
    if schema.type == "long" and schema.get_prop("logicalType") == "timestamp-millis":
        return EPOCH + value * MILLI
    if schema.type == "record":
        return {f.name: from_plain(f.type, value.get(f.name)) for f in schema.fields}
    if schema.type == "array":
        return [from_plain(schema.items, v) for v in value]
    if schema.type == "map":
        return {k: from_plain(schema.values, v) for k, v in value.items()}
    if schema.type in ("double", "float"):
        return float(value)
    return value


def main():
    registry = CachedSchemaRegistryClient({"url": sys.argv[1]})
    serializer = MessageSerializer(registry)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        if request["op"] == "decode":
            framed = bytes.fromhex(request["hex"])
            record = serializer.decode_message(framed)
            answer = {"schema_id": int.from_bytes(framed[1:5], "big"), "record": to_plain(record)}
        elif request["op"] == "encode":
            subject = request["topic"] + "-value"
            schema_id, schema, _version = registry.get_latest_schema(subject)
            if schema is None:
                raise SystemExit("no schema registered under " + subject)
            framed = serializer.encode_record_with_schema(request["topic"], schema,
                                                          from_plain(schema, request["record"]))
            answer = {"schema_id": int.from_bytes(framed[1:5], "big"), "hex": framed.hex()}
        else:
            raise SystemExit("unknown op " + request["op"])
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
