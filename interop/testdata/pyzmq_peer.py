"""A ZeroMQ peer made of pyzmq sockets, driven over stdin and stdout with
the line protocol of the Go tests in this directory's package (see
linePeer in peer_test.go): one command a line, one answer a line,
"ok ..." or "err ...", frames as "f" followed by their base64.

  bind K TYPE                 -> ok tcp://127.0.0.1:PORT
  connect K TYPE ENDPOINT fTOPIC
  subscribe K fTOPIC
  send K fFRAME...
  recv K TIMEOUT_MS           -> ok fFRAME...
  close
"""

import base64
import sys

import zmq

TYPES = {"REQ": zmq.REQ, "REP": zmq.REP, "PUB": zmq.PUB, "SUB": zmq.SUB,
         "PUSH": zmq.PUSH, "PULL": zmq.PULL, "DEALER": zmq.DEALER, "ROUTER": zmq.ROUTER}


def frame(token):
    return base64.b64decode(token[1:])


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
        w = line.rstrip("\n").split(" ")
        try:
            if w[0] == "bind":
                s = open_socket(w[1], w[2])
                s.bind("tcp://127.0.0.1:*")
                answer = "ok " + s.getsockopt_string(zmq.LAST_ENDPOINT)
            elif w[0] == "connect":
                s = open_socket(w[1], w[2])
                if w[2] == "SUB":
                    s.setsockopt(zmq.SUBSCRIBE, frame(w[4]))
                s.connect(w[3])
                answer = "ok"
            elif w[0] == "subscribe":
                socks[w[1]].setsockopt(zmq.SUBSCRIBE, frame(w[2]))
                answer = "ok"
            elif w[0] == "send":
                socks[w[1]].send_multipart([frame(t) for t in w[2:]])
                answer = "ok"
            elif w[0] == "recv":
                s = socks[w[1]]
                if not s.poll(int(w[2])):
                    answer = "err nothing received within %s ms" % w[2]
                else:
                    frames = s.recv_multipart()
                    answer = "ok " + " ".join("f" + base64.b64encode(f).decode() for f in frames)
            elif w[0] == "close":
                break
            else:
                answer = "err unknown command %r" % w[0]
        except Exception as e:  # report, and go on serving commands
            answer = "err %s: %s" % (type(e).__name__, e)
        sys.stdout.write(answer.replace("\n", " ") + "\n")
        sys.stdout.flush()

    for s in socks.values():
        s.close(linger=0)
    ctx.term()


if __name__ == "__main__":
    main()
