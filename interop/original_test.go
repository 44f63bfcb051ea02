package interop

import (
	"fmt"
	"os/exec"
	"testing"

	"github.com/xbahn-go/xbahn/internal/compat"
)

// python is Debian's interpreter, which python3-zmq installs pyzmq for.
const python = "/usr/bin/python3"

// requirePyzmq ends the test unless pyzmq can be imported: it fails under
// CI=true, which installs python3-zmq, and skips elsewhere.
func requirePyzmq(t *testing.T) {
	t.Helper()
	out, err := exec.Command(python, "-c", "import zmq; print(zmq.pyzmq_version(), zmq.zmq_version())").CombinedOutput()
	if err != nil {
		peerMissing(t, fmt.Sprintf("the pyzmq peer tests cannot run: %s -c 'import zmq': %v: %s (Debian: apt-get install python3-zmq)", python, err, out))
	}
}

// newPyPeer starts a peer of pyzmq sockets on libzmq.
func newPyPeer(t *testing.T) *linePeer {
	t.Helper()
	requirePyzmq(t)
	return startLinePeer(t, exec.Command(python, "testdata/pyzmq_peer.py"))
}

// TestOriginalClientsAgainstOurServers plays the original's clients of the
// transcripts from pyzmq sockets against our servers over TCP, with
// default options on our side.
func TestOriginalClientsAgainstOurServers(t *testing.T) {
	for _, s := range compat.Scenarios() {
		t.Run(s.Name, func(t *testing.T) {
			if err := s.ReplayServer(peerCtx(t), newPyPeer(t)); err != nil {
				t.Error(err)
			}
		})
	}
	t.Run("g3-pubsub-no-topic", func(t *testing.T) {
		if err := compat.NoTopic(peerCtx(t), newPyPeer(t)); err != nil {
			t.Error(err)
		}
	})
	for _, c := range compat.ErrorCases() {
		t.Run(c.Name, func(t *testing.T) {
			if err := c.Replay(peerCtx(t), newPyPeer(t)); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestOurClientsAgainstOriginalServers plays the original's servers of the
// transcripts from pyzmq sockets while our clients run, with default
// options.
func TestOurClientsAgainstOriginalServers(t *testing.T) {
	for _, s := range append(compat.Scenarios(), compat.EngineerCall()) {
		t.Run(s.Name, func(t *testing.T) {
			if err := s.ReplayClient(peerCtx(t), newPyPeer(t)); err != nil {
				t.Error(err)
			}
		})
	}
}
