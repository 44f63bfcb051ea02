//go:build libzmq

package interop

import (
	"bytes"
	"testing"

	zmq "github.com/pebbe/zmq4"

	"github.com/xbahn-go/xbahn/zmtp"
)

// TestStreamLibzmq puts our STREAM socket opposite libzmq's, each side
// binding in turn: both announce the connection with an empty frame, and
// bytes cross both ways as they are.
func TestStreamLibzmq(t *testing.T) {
	for _, weBind := range []bool{true, false} {
		name := "libzmq binds"
		if weBind {
			name = "we bind"
		}
		t.Run(name, func(t *testing.T) {
			ctx := testContext(t, testTimeout)
			ours := newOurs(t, zmtp.STREAM, nil)
			theirs := newZ(t, zmq.STREAM)
			if weBind {
				zconnect(t, theirs, ourBind(t, ours))
			} else {
				ourConnect(t, ours, zbind(t, theirs))
			}
			m, err := ours.Recv(ctx)
			if err != nil || len(m) != 2 || len(m[1]) != 0 {
				t.Fatalf("our connect notification %q, %v", m, err)
			}
			ourID := m[0]
			z, err := zrecv(theirs)
			if err != nil || len(z) != 2 || len(z[1]) != 0 {
				t.Fatalf("libzmq's connect notification %q, %v", z, err)
			}
			theirID := z[0]

			if err := ours.Send(ctx, ourID, []byte("raw bytes from us")); err != nil {
				t.Fatal(err)
			}
			if z, err = zrecv(theirs); err != nil || len(z) != 2 || !bytes.Equal(z[0], theirID) || string(z[1]) != "raw bytes from us" {
				t.Fatalf("libzmq received %q, %v", z, err)
			}
			must(t, zsend(theirs, theirID, []byte("and from libzmq")))
			if m, err = ours.Recv(ctx); err != nil || len(m) != 2 || !bytes.Equal(m[0], ourID) || string(m[1]) != "and from libzmq" {
				t.Fatalf("we received %q, %v", m, err)
			}
			// We close the connection with an empty frame; libzmq sees it
			// end. (libzmq 4.3.4 does not close on one of its own.)
			if err := ours.Send(ctx, ourID, nil); err != nil {
				t.Fatal(err)
			}
			if z, err = zrecv(theirs); err != nil || len(z) != 2 || !bytes.Equal(z[0], theirID) || len(z[1]) != 0 {
				t.Fatalf("libzmq's disconnect notification %q, %v", z, err)
			}
			if m, err = ours.Recv(ctx); err != nil || len(m) != 2 || !bytes.Equal(m[0], ourID) || len(m[1]) != 0 {
				t.Fatalf("our disconnect notification %q, %v", m, err)
			}
		})
	}
}
