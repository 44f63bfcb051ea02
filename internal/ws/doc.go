// Package ws implements the WebSocket protocol of RFC 6455 on the
// standard library: the opening handshake on both sides, the frame
// codec, and a [Conn] that reads and writes whole messages.
//
// # Handshakes
//
// [Client] runs the client's opening handshake over a connection the
// caller has already made (TCP, or TLS over TCP) and returns a [Conn];
// [Handshake] is the same without the Conn, for a caller with its own
// framing. [Upgrade] takes an HTTP request that net/http received and
// turns its connection into a Conn; [Accept] is its lower half. Both
// sides offer and choose a subprotocol (Sec-WebSocket-Protocol), and
// neither uses extensions: a Conn never compresses.
//
// # Frames
//
// [ParseHeader] and [AppendHeader] decode and encode a frame header and
// [MaskBytes] applies a masking key; they work on byte slices and can be
// used, and fuzzed, on their own. A client masks every frame it sends
// with a fresh random key and refuses a masked frame from the server; a
// server refuses an unmasked frame from the client.
//
// # Messages
//
// [Conn.ReadMessage] reassembles fragmented messages into a buffer the
// caller passes in and reuses, so that reading allocates nothing once the
// buffer is large enough, and refuses a message longer than the limit
// given when the Conn was made before reading its payload. Control
// frames may come between the fragments of a message: a ping is answered
// with a pong, a pong is dropped, and a close is answered with a close
// and reported as a [*CloseError], which matches io.EOF under errors.Is.
// A peer that breaks the protocol (reserved bits, unknown opcodes, a
// fragmented or oversized control frame, a text message that is not
// UTF-8, a message over the limit) is sent a close frame with the code
// RFC 6455 gives for it, and ReadMessage returns a [*ProtocolError].
//
// ReadMessage must not be called concurrently with itself, nor
// WriteMessage with itself; one of each may run at once. Close may be
// called at any time.
package ws
