// Package zmtp implements the ZeroMQ Message Transport Protocol, ZMTP 3.1
// (RFC 37, compatible with ZMTP 3.0 peers), in pure Go: the greeting, frame
// and command codec, the NULL and PLAIN security handshakes, and ZeroMQ
// sockets of every classic type over tcp, ipc, inproc and WebSocket.
//
// It sits at the bottom of xbahn: the root package xbahn and the rpc layer
// send their encoded messages as ZMTP frames through a Socket, and any
// ZeroMQ peer, libzmq included, can be on the other end.
//
// # Layers
//
// The codec works on byte slices and io.Reader/io.Writer and can be used on
// its own: [AppendGreeting] and [ParseGreeting] for the 64-byte greeting,
// [AppendFrame] and [Reader] for frames, [AppendCommand], [ParseCommand] and
// the Metadata helpers for commands. Every length read from a peer is checked
// against a limit before anything is allocated.
//
// A [Mechanism] performs the security handshake after the greeting: [Null],
// [PlainClient] and [PlainServer] here, CURVE in module zmtp/curve, which
// plugs in through the same interface.
//
// A [Socket] is a ZeroMQ socket of one [Type]: it binds and connects to
// endpoints such as tcp://127.0.0.1:5555, reconnects when a connection is
// lost, and sends and receives multipart messages with the semantics of its
// type (REQ lockstep, REP envelopes, and so on). A STREAM socket talks
// plain TCP instead, as libzmq's ZMQ_STREAM does: each message is a
// connection's routing id and the bytes it carried. [Socket.Monitor] reports
// what happens to its connections, as zmq_socket_monitor does: listening,
// accepted and connected, dials that failed or will be retried,
// handshakes that succeeded, with the peer's metadata, or failed, and why,
// disconnections. A call that waits for a peer the socket cannot reach
// ends with the last failure wrapped in its error.
//
// # WebSocket
//
// Endpoints ws://host:port/path and wss://host:port/path (path "/" when
// left out; wss needs Options.TLSConfig) speak ZWS 2.0, ZeroMQ's RFC 45,
// to browsers, jszmq and libzmq's ws transport: Bind serves the path
// with net/http's server, Connect dials and reconnects as for tcp. There
// is no greeting: the WebSocket subprotocol names the mechanism
// (ZWS2.0/NULL, ZWS2.0/PLAIN, ZWS2.0/CURVE), and each binary message is
// one frame, a flags byte before its body. Under the bare ZWS2.0, which
// jszmq speaks, there is no mechanism at all: each side's first message
// is its routing id, and the peer's socket type is not known, only
// assumed to fit. PINGs travel as WebSocket pings. The WebSocket layer
// is RFC 6455 on the standard library; every length from the peer is
// checked against MaxMsgSize before anything is allocated.
//
// # Older peers
//
// A socket sends its greeting in stages, as libzmq does, and speaks ZMTP
// 2.0 (RFC 15) to a peer of that version, such as JeroMQ 0.3, and ZMTP
// 1.0 (RFC 13) to one of libzmq 2.x: their greetings, framing and
// subscriptions, without heartbeats or metadata. Only under the NULL
// mechanism, which those versions share: a PLAIN or CURVE socket refuses
// an older peer, as RFC 37 asks, and Options.NoDowngrade refuses it
// always. [Peer.Version] tells which version a connection speaks.
//
// # Speed
//
// A Socket does its I/O on the caller's goroutine where it can: Send writes
// to the connection directly when the kernel accepts the bytes at once, and
// Recv reads from the connection itself when only one connection can supply
// the next message. Per-connection goroutines take over only when a write
// would block or when nobody is receiving, so that heartbeats are answered
// and lost connections noticed. Frames queued while a write is in progress
// leave together in one system call.
package zmtp
