// Package xbahn connects programs with messages and paths over ZeroMQ.
//
// A connection is opened from a URL such as zmq://127.0.0.1:7050/rep with
// [Listen] or [Connect]. A [Link] groups named [Wire]s, each with
// connections to send on, receive from and respond through, and fires
// events for received messages: for every message, for a '.'-delimited
// path and all paths below it, and for responses. [Wire.Send],
// [Wire.SendAndWait] and [Wire.Respond] move [Message]s.
//
// It sits on top of package zmtp (ZeroMQ sockets, in pure Go), package wire
// (the message and its encodings) and package route (path lookup), and
// below package rpc.
//
// # Encodings
//
// A message travels in wire's compact binary encoding or in the original
// xbahn's JSON, and every receiver reads both. Which one a connection
// sends needs no option: in their ZMTP handshake xbahn connections
// announce that they read binary (the property PropEncoding), and a
// connection sends binary only when every peer its message may reach
// announced it; the original Python xbahn, libzmq programs and any other
// ZeroMQ peer announce nothing and get JSON. So does a message sent
// before its peer is known. A response is binary when its request was, or
// when its requester announced binary. Options.Encoding, or the URL query
// encoding=json or encoding=binary, forces one encoding for everything a
// connection sends.
//
// # Order of events
//
// When a message arrives on a wire of a link, handlers run in this order,
// which is the original's:
//
//  1. the link's OnReceive handlers;
//  2. the link's OnPath handlers of every registered prefix of the message's
//     path, shortest first ("address" before "address.usa");
//  3. if the message is a response: the link's OnResponse handlers, then
//     the waiter of SendAndWait for that response;
//  4. the same three kinds of handlers of the wire;
//  5. the callbacks given to the request's OnResponse.
//
// Handlers for messages from one connection run one at a time, in order of
// arrival; handlers for different connections run concurrently. A handler
// that calls Message.Handoff lets the next messages of its connection be
// handled while it runs, on another goroutine, and answers with Respond
// when it is done; the rpc server does that for every call. A handler
// that returns an error or panics stops the dispatch of that message; on a
// REP connection the requester then gets an error reply. A request to a
// REP connection that no handler answered gets an empty reply, so that
// neither side waits forever.
//
// A REP URL is served by a ROUTER socket, which answers each request on
// its own envelope: REQ peers see the strict request and reply of REP,
// and requests from several of them can be answered in any order.
//
// # Differences from the original
//
// The Go version keeps the original's URLs, messages, paths, events and
// JSON, so that its peers interoperate, and fixes what the original got
// wrong:
//
//   - A SUB connection without a topic receives every message; the
//     original subscribed to nothing and received nothing.
//   - A topic is stripped as the exact prefix "topic " of a message; the
//     original's lstrip removed a set of characters.
//   - A REP connection always answers: with an empty reply when no handler
//     responded, with an error reply when a handler failed or panicked. The
//     original left both the REP socket and the requester stuck.
//   - SendAndWait waits on a channel until the response or the context's
//     end, instead of spinning; and the reply a REQ connection receives
//     always answers the request it sent, even when the peer did not set
//     its response id.
//   - Respond answers a request once; a second answer is an error.
package xbahn
