"""An OpenAI-compatible backend with tools: mnemo passes ``tools`` natively and reads the
server's streamed ``tool_calls`` (a small HTTP server of the test's own on 127.0.0.1 that
answers as OpenAI's API documents: the first request with a call, the next with text)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mnemo import Assistant
from tests.conftest import write_user_models

CALL_CHUNKS = [
    {"choices": [{"index": 0, "delta": {"role": "assistant", "content": None}}]},
    {
        "choices": [
            {
                "index": 0,
                "delta": {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "c1",
                            "type": "function",
                            "function": {"name": "search_memory", "arguments": ""},
                        }
                    ]
                },
            }
        ]
    },
    {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '{"query": '}}]}}]},
    {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '"cat"}'}}]}}]},
    {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
]
TEXT_CHUNKS = [
    {"choices": [{"index": 0, "delta": {"content": "Nothing about"}}]},
    {"choices": [{"index": 0, "delta": {"content": " a cat."}, "finish_reason": "stop"}]},
]


@pytest.fixture
def server():
    bodies: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            bodies.append(body)
            chunks = CALL_CHUNKS if len(bodies) == 1 else TEXT_CHUNKS
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for chunk in chunks:
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", bodies
    httpd.shutdown()


def test_tools_go_to_the_server_natively_and_its_tool_calls_run(home, server):
    url, bodies = server
    write_user_models(
        home, f'default = "remote"\n[[models]]\nname = "remote"\nkind = "openai"\nbase_url = "{url}"\ntools = true\n'
    )
    with Assistant.open() as a:
        reply = a.send("Do you know anything about my cat?")
        (call,) = reply.tool_calls
        assert (call.tool, call.arguments, call.decision) == ("search_memory", {"query": "cat"}, "allow")
        assert reply.text == "Nothing about a cat."
        first, second = bodies
        assert {t["function"]["name"] for t in first["tools"]} >= {"search_memory", "current_time"}
        assistant, result = second["messages"][-2:]
        assert assistant["tool_calls"][0]["function"] == {"name": "search_memory", "arguments": '{"query": "cat"}'}
        assert result["role"] == "tool" and result["tool_call_id"] == assistant["tool_calls"][0]["id"]
        assert result["content"] == call.result
