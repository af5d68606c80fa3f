"""Drives Ragtime's /v1/chat/completions with the official `openai` Python client (2.x), changing only the
base URL and key, and prints what it saw as one JSON object for test/gateway/python-openai-client.test.ts.

Usage: python openai_client_check.py <base_url> <api_key> <model>
"""
import json
import sys

import openai
from openai import OpenAI

base_url, api_key, model = sys.argv[1:4]
client = OpenAI(base_url=base_url, api_key=api_key, max_retries=0, default_headers={"cache-control": "no-cache"})
weather = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather of a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
seen = {"client_version": openai.__version__}

# A tool call, not streamed.
question = {"role": "user", "content": "What is the weather in Paris?"}
completion = client.chat.completions.create(model=model, messages=[question], tools=[weather])
call = completion.choices[0].message.tool_calls[0]
seen["tool_call"] = {"finish_reason": completion.choices[0].finish_reason, "name": call.function.name, "arguments": json.loads(call.function.arguments), "id": call.id}

# The same, streamed: fragments accumulated by index as the client's users do.
calls = {}
finish = []
for chunk in client.chat.completions.create(model=model, messages=[question], tools=[weather], stream=True, stream_options={"include_usage": True}):
    for choice in chunk.choices:
        if choice.finish_reason:
            finish.append(choice.finish_reason)
        for fragment in choice.delta.tool_calls or []:
            entry = calls.setdefault(fragment.index, {"id": None, "name": "", "arguments": ""})
            entry["id"] = entry["id"] or fragment.id
            entry["name"] += (fragment.function.name or "") if fragment.function else ""
            entry["arguments"] += (fragment.function.arguments or "") if fragment.function else ""
    if chunk.usage:
        seen["streamed_usage"] = chunk.usage.completion_tokens
seen["streamed"] = {"finish_reasons": finish, "calls": [{**entry, "arguments": json.loads(entry["arguments"])} for _, entry in sorted(calls.items())]}

# The tool's result round trip.
follow_up = client.chat.completions.create(model=model, tools=[weather], messages=[
    question,
    {"role": "assistant", "content": None, "tool_calls": [{"id": call.id, "type": "function", "function": {"name": call.function.name, "arguments": call.function.arguments}}]},
    {"role": "tool", "tool_call_id": call.id, "content": "18 degrees"},
])
seen["round_trip"] = follow_up.choices[0].message.content

# Structured output, seed and an exact token cap.
structured = client.chat.completions.create(
    model=model, messages=[{"role": "user", "content": "Invent a person."}], seed=7, max_completion_tokens=40,
    response_format={"type": "json_schema", "json_schema": {"name": "person", "schema": {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}}},
)
seen["structured"] = json.loads(structured.choices[0].message.content)

# A one-element content array.
single = client.chat.completions.create(model=model, messages=[{"role": "user", "content": [{"type": "text", "text": "hi"}]}])
seen["single_part"] = single.choices[0].message.content

# An image to a model without vision.
try:
    client.chat.completions.create(model=model, messages=[{"role": "user", "content": [
        {"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
    ]}])
    seen["image"] = "accepted"
except openai.BadRequestError as error:
    seen["image"] = {"status": error.status_code, "code": error.code, "param": error.param, "message": error.message}

# An unknown route answers in OpenAI's error shape, which the client parses.
try:
    client.get("/no-such-route", cast_to=object)
    seen["unknown_route"] = "answered"
except openai.NotFoundError as error:
    seen["unknown_route"] = {"status": error.status_code, "code": error.code, "type": error.type}

print(json.dumps(seen))
