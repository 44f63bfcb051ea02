// Package interop proves that xbahn's pure-Go ZMTP sockets (package zmtp)
// interoperate with libzmq, the reference implementation of ZeroMQ, and
// measures how they compare with it.
//
// The package has no API of its own. Its tests put our sockets on
// loopback TCP opposite libzmq's, through the cgo binding
// github.com/pebbe/zmq4, in both bind/connect directions: REQ, REP, DEALER
// and ROUTER in every request-reply pairing, and PAIR, PUSH/PULL and
// PUB/SUB/XPUB. They check byte for byte that messages of every shape
// cross intact: empty frames, the 255/256-byte boundary between short and
// long frames, a 1 MiB frame, a thousand frames, multipart and random
// binary bodies, multi-hop envelopes. They also cover heartbeats and TTLs
// in both directions, fifty concurrent clients, routing by identity, REQ
// correlation and relaxed mode, size limits, the refusal of peers of the
// wrong socket type, and that Close leaves no goroutine behind. Beyond
// pairs, they scale request-reply out through a libzmq broker
// (zmq_proxy) to several of our workers, one of which dies holding
// requests, and check PUB prefix filtering with many subscribers, PUSH
// load balancing and PULL fair queueing by counts.
//
// The tests of jeromq_test.go run every pattern, each side binding in
// turn, against JeroMQ 0.3.6 (Debian's libjeromq-java), a pure-Java
// ZeroMQ that speaks ZMTP 2.0: our sockets talk to it in its version.
// The JeroMQ peer (testdata/JeromqPeer.java) and the pyzmq one
// (testdata/pyzmq_peer.py) are driven through the same line protocol
// (peer_test.go). Without a JDK or the jar they skip; under CI=true they
// fail.
//
// The tests of original_test.go put the original Python xbahn's side of
// every captured conversation (package internal/compat replays the
// transcripts) on pyzmq sockets, over libzmq, opposite our servers and
// clients with default options: Debian's python3 with python3-zmq drives
// testdata/pyzmq_peer.py. They need no build tag; without pyzmq they skip,
// and under CI=true they fail.
//
// The tests that need libzmq carry the build tag libzmq, so that the
// module builds and tests on a machine without it. With libzmq 4.3 and its
// headers installed (Debian: libzmq3-dev) and cgo enabled, run them with
//
//	cd interop && go test -tags libzmq ./...
//
// Without the tag a single test reports that the interop tests did not
// run; it fails when CI=true and skips otherwise.
//
// The benchmarks compare round-trip latency and multi-client throughput of
// our REQ/REP with libzmq's and with raw TCP ping-pong, the floor, and
// the message rates of PUSH/PULL streams (TCP and inproc) and of a PUB
// fanning out to eight SUBs:
//
//	cd interop && go test -tags libzmq -run '^$' -bench . -benchtime 2s -count 3 ./...
//
// BENCHMARKS.md records the results. Command table (cmd/table) measures
// xbahn, libzmq, go-zeromq/zmq4, net/rpc and raw TCP in one run and prints
// them as one table, the one the README shows:
//
//	cd interop && go run -tags libzmq ./cmd/table
package interop
