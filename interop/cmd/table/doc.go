// Command table measures xbahn beside libzmq (through
// github.com/pebbe/zmq4), the pure-Go github.com/go-zeromq/zmq4, the
// standard library's net/rpc and raw TCP, the floor, all on loopback TCP,
// and prints one markdown table: REQ/REP round-trip latency (p50 and p99,
// 64 B and 64 KiB), REQ/REP round trips per second with one client and
// with eight, PUSH/PULL messages per second, and RPC calls per second with
// one caller and with eight, with xbahn's speed relative to libzmq and to
// the floor in columns of their own. The rows headed "server apart"
// measure again with the server in a process of its own (this program,
// started again as the server), for REQ/REP round trips of 64 B, 64 KiB
// and 1 MiB and for RPC calls.
//
// It links libzmq through cgo, so it builds with the libzmq tag, like the
// interop tests:
//
//	cd interop && go run -tags libzmq ./cmd/table
//
// Each cell is measured once, for one second by default (-time d), in one
// run of about a minute; progress goes to standard error, the table
// with the date, machine and versions above it to standard output. A cell
// that fails or hangs says so, the run goes on, and the command exits
// with status 1. With -match, only the cells whose progress name the regular
// expression finds are measured.
package main
