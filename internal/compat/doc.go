// Package compat replays conversations of the original Python xbahn
// 1.99.2 with itself, captured on the wire (testdata), against the Go
// implementation, to prove that each can take the other's place.
//
// A Scenario pairs a transcript with the Go programs of its two sides.
// ReplayServer plays the original's client against the Go server: it
// sends what the original's client sent and checks that the Go server
// answers what the original's server did. ReplayClient plays the
// original's server while the Go client runs: it checks that the Go client
// sends what the original's client did and answers as the original's
// server did. Cases replays the hand-made requests of the error
// transcripts. The original's side speaks through a Peer: this module's
// zmtp sockets (ZMTP), or any ZeroMQ implementation that a Peer wraps,
// such as pyzmq on libzmq in module interop.
//
// Messages are compared as the original's JSON: the Go side's must be
// written as Python's json.dumps writes, with the same values and the
// top-level keys in the same order. Ids that vary from run to run, message
// ids and client ids, are paired where they first appear and must keep
// to their pairs, so that a reply answers the request it should. Where
// the Go side answers differently on purpose, the difference is listed,
// with the reason, in Scenario.Ours and Cases.Ours.
//
// The package is for tests; nothing else imports it.
package compat
