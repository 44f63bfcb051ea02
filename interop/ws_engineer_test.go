package interop

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/xbahn-go/xbahn/engineer"
	"github.com/xbahn-go/xbahn/zmtp"
)

// TestEngineerDemoOverWSJszmq serves the engineer's demo over ZeroMQ's
// WebSocket transport, as `engineer demo --serve
// 'zmq://127.0.0.1:PORT/rep?transport=ws'` does, to a jszmq REQ that
// connects to ws://127.0.0.1:PORT, as a browser page would, and makes the
// original engineer's calls for `multiply 6 7`, word for word as its
// transcript has them.
func TestEngineerDemoOverWSJszmq(t *testing.T) {
	modules := installJszmq(t, t.TempDir())
	conn, err := engineer.StartDemo("zmq://127.0.0.1:0/rep?transport=ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ep := conn.Endpoint()
	if !strings.HasPrefix(ep, "ws://127.0.0.1:") {
		t.Fatalf("the demo listens on %q, want a ws:// endpoint", ep)
	}
	js := startJS(t, modules, zmtp.REQ, false, ep, "")
	calls := []struct {
		request string
		want    any // the data of the reply
	}{
		{`{"meta": {"id": "c1", "client": null, "path": "comm.call"}, "data": "obtain_client_id", "args": [], "kwargs": {}}`, "$"},
		{`{"meta": {"id": "c2", "client": "$", "path": "comm.call"}, "data": "attach_remote", "args": ["$.engineer", "engineer"], "kwargs": {"remote_name": "engineer"}}`, nil},
		{`{"meta": {"id": "c3", "client": "$", "path": "comm.call.widgets.engineer.$.engineer"}, "data": "multiply", "args": [], "kwargs": {"a": "6", "b": "7"}}`, float64(42)},
	}
	for _, c := range calls {
		if err := js.command(map[string][]string{"send": {base64.StdEncoding.EncodeToString([]byte(c.request))}}); err != nil {
			t.Fatal(err)
		}
		var reply [][]byte
		select {
		case reply = <-js.msgs:
		case <-time.After(wsTimeout):
			t.Fatalf("no reply to %s", c.request)
		}
		if len(reply) != 1 {
			t.Fatalf("reply to %s: %d frames, want 1", c.request, len(reply))
		}
		var got struct {
			Meta map[string]any `json:"meta"`
			Data any            `json:"data"`
		}
		if err := json.Unmarshal(reply[0], &got); err != nil {
			t.Fatalf("reply %q: %v", reply[0], err)
		}
		if got.Data != c.want || got.Meta["error"] != nil {
			t.Errorf("reply to %s: data %#v, error %v, want data %#v", c.request, got.Data, got.Meta["error"], c.want)
		}
	}
}
