package widget

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/xbahn-go/xbahn/rpc"
)

// Methods every widget answers; they are not the instance's own.
const (
	methodAttach = "attach_remote"
	methodDetach = "detach_remote"
)

// errNoInstance is the text of the reply to a call of an instance the
// server lacks; the client attaches again when it sees it.
const errNoInstance = "widget instance not found on server"

// HostOptions configures a Host.
type HostOptions struct {
	// PerClient keeps instances per client, on a client-aware server.
	PerClient bool
}

// Host serves the widgets of an rpc server.
type Host struct {
	perClient bool

	mu     sync.Mutex
	kinds  map[string]func(*Instance) any
	shared map[string]*Instance // instances by "name.client.id"
}

// Instance is one widget instance on its host: the value whose methods
// are called, and the way to its other side.
type Instance struct {
	Name, ClientID, ID string

	obj    *rpc.Object
	remote *rpc.Remote // the client, for a server instance with PerClient
}

// Value returns the widget value of the instance.
func (i *Instance) Value() any { return i.obj.Value() }

// Call calls method on the other side of the widget: the client's side
// for a server instance. It needs a two-way client on a PerClient host.
func (i *Instance) Call(ctx context.Context, method string, args ...any) (any, error) {
	if i.remote == nil {
		return nil, rpc.ErrNoClient
	}
	return i.remote.CallPath(ctx, path(i.Name, i.ClientID, i.ID), method, args, nil)
}

func path(name, client, id string) string { return "widgets." + name + "." + client + "." + id }

// NewHost makes s serve widgets. With PerClient, s must be client-aware.
func NewHost(s *rpc.Server, o *HostOptions) *Host {
	h := &Host{kinds: map[string]func(*Instance) any{}, shared: map[string]*Instance{}}
	if o != nil {
		h.perClient = o.PerClient
	}
	s.Handle("widgets", h.serve)
	return h
}

// Register declares the widget called name: make returns the value whose
// exported methods a new instance exposes.
func (h *Host) Register(name string, make func(*Instance) any) error {
	if err := checkSegment("widget name", name); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.kinds[name] = make
	return nil
}

// store returns where the instances of a call live: the client's own
// store with PerClient, the shared one otherwise.
func (h *Host) store(call *rpc.CallInfo) (map[string]*Instance, error) {
	if !h.perClient {
		return h.shared, nil
	}
	if call.Client == nil {
		return nil, errors.New("widgets per client need a client-aware server and a client id")
	}
	st, _ := call.Client.Value(h).(map[string]*Instance)
	if st == nil {
		st = map[string]*Instance{}
		call.Client.SetValue(h, st)
	}
	return st, nil
}

// serve handles a call under "widgets.<name>.<client>.<id>".
func (h *Host) serve(ctx context.Context, call *rpc.CallInfo, sub string) (any, error) {
	parts := strings.Split(sub, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("widget path %s: want <name>.<client>.<id>", strconv.Quote(sub))
	}
	switch call.Method {
	case methodAttach:
		return true, h.attach(call, parts[0], parts[1], parts[2], sub)
	case methodDetach:
		return true, h.detach(call, sub)
	}
	inst, err := h.instance(call, sub)
	if err != nil {
		return nil, err
	}
	return inst.obj.Call(ctx, call.Method, call.Message.Args, call.Message.Kwargs)
}

// attach creates the instance at key unless it exists.
func (h *Host) attach(call *rpc.CallInfo, name, client, id, key string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	st, err := h.store(call)
	if err != nil || st[key] != nil {
		return err
	}
	make := h.kinds[name]
	if make == nil {
		return fmt.Errorf("no widget called %s", strconv.Quote(name))
	}
	inst := &Instance{Name: name, ClientID: client, ID: id}
	if h.perClient {
		inst.remote = call.Client
	}
	obj, err := rpc.NewObject(make(inst))
	if err != nil {
		return err
	}
	inst.obj = obj
	st[key] = inst
	return nil
}

// detach removes the instance at key, and no other.
func (h *Host) detach(call *rpc.CallInfo, key string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	st, err := h.store(call)
	if err == nil {
		delete(st, key)
	}
	return err
}

func (h *Host) instance(call *rpc.CallInfo, key string) (*Instance, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st, err := h.store(call)
	if err != nil {
		return nil, err
	}
	if inst := st[key]; inst != nil {
		return inst, nil
	}
	return nil, errors.New(errNoInstance)
}

// add makes v the local instance of a client-side widget.
func (h *Host) add(name, client, id string, v any) (*Instance, error) {
	obj, err := rpc.NewObject(v)
	if err != nil {
		return nil, err
	}
	inst := &Instance{Name: name, ClientID: client, ID: id, obj: obj}
	h.mu.Lock()
	h.shared[name+"."+client+"."+id] = inst
	h.mu.Unlock()
	return inst, nil
}

// remove drops a local instance.
func (h *Host) remove(name, client, id string) {
	h.mu.Lock()
	delete(h.shared, name+"."+client+"."+id)
	h.mu.Unlock()
}

func checkSegment(what, s string) error {
	if s == "" || strings.ContainsAny(s, ". ") {
		return fmt.Errorf("widget: %s %s must be one path segment", what, strconv.Quote(s))
	}
	return nil
}
