"""Drives Ragtime's /v1/responses with the official `openai` Python client (2.x), changing only the base URL
and key, and prints what it saw as one JSON object for test/gateway/responses-tools.test.ts.

Usage: python openai_responses_check.py <base_url> <api_key> <model>
"""
import json
import sys

import openai
from openai import OpenAI

base_url, api_key, model = sys.argv[1:4]
client = OpenAI(base_url=base_url, api_key=api_key, max_retries=0)
weather = {
    "type": "function",
    "name": "get_weather",
    "description": "The current weather of a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
seen = {"client_version": openai.__version__}

# Plain text, with instructions and an output cap.
first = client.responses.create(model=model, input="Say hello.", instructions="Be brief.", max_output_tokens=40)
seen["text"] = {"id": first.id, "status": first.status, "output_text": first.output_text, "output_tokens": first.usage.output_tokens}

# Continued from the stored conversation.
second = client.responses.create(model=model, input="And again?", previous_response_id=first.id)
seen["continued"] = {"previous_response_id": second.previous_response_id, "output_text": second.output_text}

# Streamed: the event types in order and the text the deltas add up to.
types = []
deltas = []
with client.responses.stream(model=model, input="Say hello.") as stream:
    for event in stream:
        types.append(event.type)
        if event.type == "response.output_text.delta":
            deltas.append(event.delta)
    final = stream.get_final_response()
seen["streamed"] = {"first": types[:2], "last": types[-1], "text": "".join(deltas), "final_text": final.output_text}

# A function call, then its output sent back with the call.
called = client.responses.create(model=model, input="What is the weather in Paris?", tools=[weather])
call = next(item for item in called.output if item.type == "function_call")
seen["function_call"] = {"name": call.name, "arguments": json.loads(call.arguments)}
answered = client.responses.create(model=model, tools=[weather], input=[
    {"role": "user", "content": "What is the weather in Paris?"},
    {"type": "function_call", "call_id": call.call_id, "name": call.name, "arguments": call.arguments},
    {"type": "function_call_output", "call_id": call.call_id, "output": "18 degrees"},
])
seen["round_trip"] = answered.output_text

# Structured output through text.format.
structured = client.responses.create(model=model, input="Invent a person.", text={"format": {
    "type": "json_schema", "name": "person", "strict": True,
    "schema": {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}, "required": ["name", "age"], "additionalProperties": False},
}})
seen["structured"] = json.loads(structured.output_text)

# What cannot be served, in OpenAI's error shape.
try:
    client.completions.create(model=model, prompt="hi")
except openai.NotFoundError as error:
    seen["legacy_completions"] = {"status": error.status_code, "code": error.code}

print(json.dumps(seen))
