"""A ZeroMQ peer made of pyzmq sockets, driven over stdin and stdout.

Each line on stdin is one JSON command; each line on stdout the answer:
{"ok": true, ...} or {"error": "..."}. Frames travel base64-encoded.

  {"op": "bind", "k": 1, "type": "REP"}             -> {"ok": true, "endpoint": "tcp://127.0.0.1:PORT"}
  {"op": "connect", "k": 1, "type": "SUB", "endpoint": "...", "topic": "news"}
  {"op": "send", "k": 1, "frames": ["..."]}
  {"op": "recv", "k": 1, "timeout_ms": 5000}        -> {"ok": true, "frames": ["..."]}
  {"op": "close"}

The Go test in this directory's package starts it with Debian's python3.
"""

import base64
import json
import sys

import zmq

TYPES = {"REQ": zmq.REQ, "REP": zmq.REP, "PUB": zmq.PUB, "SUB": zmq.SUB,
         "PUSH": zmq.PUSH, "PULL": zmq.PULL, "DEALER": zmq.DEALER, "ROUTER": zmq.ROUTER}


def main():
    ctx = zmq.Context()
    socks = {}

    def open_socket(k, typ):
        old = socks.pop(k, None)
        if old is not None:
            old.close(linger=0)
        s = ctx.socket(TYPES[typ])
        s.setsockopt(zmq.LINGER, 0)
        socks[k] = s
        return s

    for line in sys.stdin:
        cmd = json.loads(line)
        op = cmd["op"]
        try:
            if op == "bind":
                s = open_socket(cmd["k"], cmd["type"])
                s.bind("tcp://127.0.0.1:*")
                answer = {"ok": True, "endpoint": s.getsockopt_string(zmq.LAST_ENDPOINT)}
            elif op == "connect":
                s = open_socket(cmd["k"], cmd["type"])
                if cmd["type"] == "SUB":
                    s.setsockopt(zmq.SUBSCRIBE, cmd.get("topic", "").encode())
                s.connect(cmd["endpoint"])
                answer = {"ok": True}
            elif op == "send":
                frames = [base64.b64decode(f) for f in cmd["frames"]]
                socks[cmd["k"]].send_multipart(frames)
                answer = {"ok": True}
            elif op == "recv":
                s = socks[cmd["k"]]
                if not s.poll(cmd.get("timeout_ms", 5000)):
                    answer = {"error": "nothing received within %d ms" % cmd.get("timeout_ms", 5000)}
                else:
                    frames = s.recv_multipart()
                    answer = {"ok": True, "frames": [base64.b64encode(f).decode() for f in frames]}
            elif op == "close":
                break
            else:
                answer = {"error": "unknown op %r" % op}
        except Exception as e:  # report, and go on serving commands
            answer = {"error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()

    for s in socks.values():
        s.close(linger=0)
    ctx.term()


if __name__ == "__main__":
    main()
