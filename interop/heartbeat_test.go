//go:build libzmq

package interop

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
)

// Heartbeat settings of the tests: the idle gap is longer than the timeout
// and the TTL, so that a side that did not answer or send PINGs would lose
// the connection during the gap.
const (
	hbInterval = 100 * time.Millisecond
	hbTimeout  = 300 * time.Millisecond
	hbTTL      = 500 * time.Millisecond
	hbIdle     = 550 * time.Millisecond
	hbGaps     = 2
)

// TestHeartbeat keeps a connection between our socket and libzmq's idle
// for longer than the heartbeat timeout and TTL, twice, with one side
// sending PINGs: first libzmq (ZMQ_HEARTBEAT_IVL, _TIMEOUT, _TTL), then ours
// (Options.Heartbeat). The connection runs through a relay that counts the
// PINGs and PONGs. The connection must survive: requests after each gap
// work, the relay saw a single connection, libzmq's monitor saw no
// disconnect, and every PING but perhaps the last was answered.
func TestHeartbeat(t *testing.T) {
	tests := []struct {
		name        string
		ours        zmtp.Type // REQ connects through the relay to the bound REP
		libzmqPings bool
	}{
		{"libzmq REQ pings xbahn REP", zmtp.REP, true},
		{"libzmq REP pings xbahn REQ", zmtp.REQ, true},
		{"xbahn REQ pings libzmq REP", zmtp.REQ, false},
		{"xbahn REP pings libzmq REQ", zmtp.REP, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts zmtp.Options
			if !tt.libzmqPings {
				opts.Heartbeat = zmtp.Heartbeat{Interval: hbInterval, Timeout: hbTimeout, TTL: hbTTL}
			}
			zt := zmq.REQ
			if tt.ours == zmtp.REQ {
				zt = zmq.REP
			}
			z := newZ(t, zt)
			if tt.libzmqPings {
				for _, err := range []error{
					z.SetHeartbeatIvl(hbInterval),
					z.SetHeartbeatTimeout(hbTimeout),
					z.SetHeartbeatTtl(hbTTL),
				} {
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			mon := watch(t, z, zmq.EVENT_CONNECTED|zmq.EVENT_ACCEPTED|zmq.EVENT_HANDSHAKE_SUCCEEDED|zmq.EVENT_DISCONNECTED|zmq.EVENT_CLOSED)
			o := newOurs(t, tt.ours, &opts)

			var (
				c     client
				s     server
				relay *relay
			)
			if tt.ours == zmtp.REQ {
				c, s = ours{o}, theirs{z}
				relay = newRelay(t, zbind(t, z))
				ourConnect(t, o, relay.endpoint())
			} else {
				c, s = theirs{z}, ours{o}
				relay = newRelay(t, ourBind(t, o))
				zconnect(t, z, relay.endpoint())
			}
			// PINGs from the REQ side travel to the relay's target.
			pingDir := fromTarget
			if (tt.ours == zmtp.REQ) != tt.libzmqPings {
				pingDir = toTarget
			}
			pongDir := 1 - pingDir

			ctx := testContext(t, testTimeout)
			roundTrip(t, ctx, c, s, frames("before"))
			for i := range hbGaps {
				time.Sleep(hbIdle)
				roundTrip(t, ctx, c, s, frames("after gap "+strconv.Itoa(i+1)))
			}

			if n := relay.accepted.Load(); n != 1 {
				t.Errorf("relay accepted %d connections, want 1", n)
			}
			evs := mon.drain()
			if n := count(evs, zmq.EVENT_DISCONNECTED); n != 0 {
				t.Errorf("libzmq reported %d disconnects, want 0 (events %v)", n, evs)
			}
			if n := count(evs, zmq.EVENT_HANDSHAKE_SUCCEEDED); n != 1 {
				t.Errorf("libzmq reported %d handshakes, want 1 (events %v)", n, evs)
			}
			pings, pongs := relay.pings[pingDir].Load(), relay.pongs[pongDir].Load()
			// At least half the PINGs the idle time leaves room for.
			minPings := int64(hbGaps * hbIdle / hbInterval / 2)
			if pings < minPings {
				t.Errorf("saw %d PINGs, want at least %d", pings, minPings)
			}
			if pongs < pings-1 || pongs > pings {
				t.Errorf("saw %d PONGs for %d PINGs, want one for each PING, but perhaps the last", pongs, pings)
			}
			if n := relay.pings[pongDir].Load(); n != 0 {
				t.Errorf("the side without heartbeats sent %d PINGs", n)
			}
			t.Logf("%d PINGs, %d PONGs", pings, pongs)
		})
	}
}

// TestHeartbeatSilentPeer has our REQ, with heartbeats, lose every byte
// to and from a libzmq REP after a first round trip. Its PINGs then go
// unanswered, so it must drop the connection after the heartbeat timeout
// and fail the pending request with ErrNoPeer, long before the context
// ends.
func TestHeartbeatSilentPeer(t *testing.T) {
	rep := newZ(t, zmq.REP)
	relay := newRelay(t, zbind(t, rep))
	req := newOurs(t, zmtp.REQ, &zmtp.Options{
		Heartbeat: zmtp.Heartbeat{Interval: hbInterval, Timeout: hbTimeout},
	})
	ourConnect(t, req, relay.endpoint())
	ctx := testContext(t, testTimeout)
	roundTrip(t, ctx, ours{req}, theirs{rep}, frames("hello"))

	relay.blackhole.Store(true)
	if err := req.Send(ctx, []byte("into the void")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	start := time.Now()
	rctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	got, err := req.Recv(rctx)
	took := time.Since(start)
	if err == nil {
		t.Fatalf("Recv = %s, want an error", brief(got))
	}
	if !errors.Is(err, zmtp.ErrNoPeer) {
		t.Fatalf("Recv error = %v after %v, want ErrNoPeer", err, took)
	}
	if limit := hbInterval + hbTimeout + time.Second; took > limit {
		t.Errorf("Recv took %v to notice the silent peer, want at most %v", took, limit)
	}
}

// TestHeartbeatPeerTTL has a libzmq REQ send PINGs with a TTL of 300 ms to
// our REP, which sends no PINGs of its own, and then go silent. Our REP
// must close the connection once it has heard nothing for the TTL. The
// libzmq side's own timeout is long, so a prompt disconnect can only come
// from ours.
func TestHeartbeatPeerTTL(t *testing.T) {
	const ttl = 300 * time.Millisecond
	z := newZ(t, zmq.REQ)
	for _, err := range []error{
		z.SetHeartbeatIvl(hbInterval),
		z.SetHeartbeatTimeout(10 * time.Second),
		z.SetHeartbeatTtl(ttl),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	mon := watch(t, z, zmq.EVENT_DISCONNECTED)
	rep := newOurs(t, zmtp.REP, nil)
	relay := newRelay(t, ourBind(t, rep))
	zconnect(t, z, relay.endpoint())
	ctx := testContext(t, testTimeout)
	roundTrip(t, ctx, theirs{z}, ours{rep}, frames("hello"))

	// Let a PING with the TTL reach our REP before the silence.
	deadline := time.Now().Add(opTimeout)
	for relay.pings[toTarget].Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("libzmq sent no PINGs within %v", opTimeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
	relay.blackhole.Store(true)
	start := time.Now()
	mon.waitFor(zmq.EVENT_DISCONNECTED, 3*time.Second)
	if took, limit := time.Since(start), ttl+time.Second; took > limit {
		t.Errorf("disconnect after %v of silence, want at most %v", took, limit)
	}
}

// TestHeartbeatOurTTL is the reverse of TestHeartbeatPeerTTL: our REQ
// sends PINGs with Heartbeat.TTL of 300 ms to a libzmq REP and then goes
// silent, with its own timeout set long. libzmq must drop the connection
// about 300 ms later, which it only does if the TTL went out correctly
// encoded, in tenths of a second.
func TestHeartbeatOurTTL(t *testing.T) {
	const ttl = 300 * time.Millisecond
	z := newZ(t, zmq.REP)
	mon := watch(t, z, zmq.EVENT_DISCONNECTED)
	relay := newRelay(t, zbind(t, z))
	req := newOurs(t, zmtp.REQ, &zmtp.Options{
		Heartbeat: zmtp.Heartbeat{Interval: hbInterval, Timeout: 10 * time.Second, TTL: ttl},
	})
	ourConnect(t, req, relay.endpoint())
	ctx := testContext(t, testTimeout)
	roundTrip(t, ctx, ours{req}, theirs{z}, frames("hello"))

	deadline := time.Now().Add(opTimeout)
	for relay.pings[toTarget].Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("our REQ sent no PINGs within %v", opTimeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
	relay.blackhole.Store(true)
	start := time.Now()
	mon.waitFor(zmq.EVENT_DISCONNECTED, 3*time.Second)
	if took, limit := time.Since(start), ttl+time.Second; took > limit {
		t.Errorf("libzmq disconnected after %v of silence, want at most %v", took, limit)
	}
}
