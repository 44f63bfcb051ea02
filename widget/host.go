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

// The calls of the original's widget protocol, made on the call path
// itself: attach_remote(id, name, remote_name=..., **kwargs) creates an
// instance, detach_remote(id, name) removes it, and request_widget(name,
// id) asks the other side to attach a widget again.
const (
	methodAttach  = "attach_remote"
	methodDetach  = "detach_remote"
	methodRequest = "request_widget"
)

// ErrNotFound is a call of a widget instance the server does not have;
// the same error as rpc.ErrWidgetNotFound.
var ErrNotFound = rpc.ErrWidgetNotFound

// HostOptions configures a Host.
type HostOptions struct {
	// PerClient makes the host widget-aware, as the original's
	// WidgetAwareServer: an instance belongs to the client that attached
	// it, only that client reaches it, it is dropped with the client,
	// and it can call the client's side of the widget (Instance.Call)
	// when the client is two-way. It needs a client-aware rpc server.
	PerClient bool
}

// Factory makes the value whose exported methods a new instance exposes.
type Factory func(inst *Instance) any

// Host serves the widgets of an rpc server: the instances a server keeps
// for its clients, or, on a two-way client's local server, the client's
// own side of its widgets.
type Host struct {
	perClient bool

	mu     sync.Mutex
	kinds  map[string]Factory
	groups map[string]map[string]*Instance // by widget name, then id "<client>.<id>"
}

// Instance is one widget instance on its host: the value whose methods
// are called, and the way to the widget's other side.
type Instance struct {
	Name     string // the widget's name on this side
	ClientID string // the id of the client the instance is for
	ID       string // the widget's id, without the client's
	// RemoteName is the widget's name on the other side, which calls
	// back to it use: the client's name for a server instance.
	RemoteName string
	// Kwargs are the keyword arguments the client attached with, beyond
	// remote_name.
	Kwargs map[string]any

	obj    *rpc.Object
	remote *rpc.Remote // the client, for a server instance with PerClient
	handle *Widget     // the client's handle, for an instance on a client
}

// Value returns the widget value of the instance.
func (i *Instance) Value() any { return i.obj.Value() }

// Call calls method on the other side of the widget: the client's side
// for a server instance. It needs a two-way client on a PerClient host.
func (i *Instance) Call(ctx context.Context, method string, args ...any) (any, error) {
	if i.remote == nil {
		return nil, rpc.ErrNoClient
	}
	return i.remote.CallPath(ctx, path(i.RemoteName, i.ClientID, i.ID), method, args, nil)
}

// path is the path below the call path of a widget instance.
func path(name, client, id string) string { return "widgets." + name + "." + client + "." + id }

// NewHost makes s serve widgets: it exposes the original's attach_remote,
// detach_remote and request_widget on s, and routes widget calls to the
// host. With PerClient, s must be client-aware. It fails if s has
// functions of those names already.
func NewHost(s *rpc.Server, o *HostOptions) (*Host, error) {
	h := &Host{kinds: map[string]Factory{}, groups: map[string]map[string]*Instance{}}
	if o != nil {
		h.perClient = o.PerClient
	}
	for _, err := range []error{
		s.Register(methodAttach, h.attach, "id", "name"),
		s.Register(methodDetach, h.detach, "id", "name"),
		s.Register(methodRequest, h.request, "name", "id"),
	} {
		if err != nil {
			return nil, fmt.Errorf("widget: %w", err)
		}
	}
	s.HandleWidgets(h.serve)
	s.OnClientGone(h.dropClient)
	return h, nil
}

// Register declares the widget called name: make returns the value whose
// exported methods a new instance exposes. A name is registered once.
func (h *Host) Register(name string, make Factory) error {
	if err := checkSegment("widget name", name); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, dup := h.kinds[name]; dup {
		return fmt.Errorf("widget: %s is registered already", strconv.Quote(name))
	}
	h.kinds[name] = make
	return nil
}

// splitID splits an instance id "<client>.<id>".
func splitID(full string) (client, id string, err error) {
	client, id, ok := strings.Cut(full, ".")
	if !ok || client == "" || id == "" || strings.Contains(id, ".") {
		return "", "", fmt.Errorf("widget id %s is not <client id>.<widget id>", strconv.Quote(full))
	}
	return client, id, nil
}

// owns reports whether the caller of call may reach the instances of
// client: on a PerClient host only their own.
func (h *Host) owns(call *rpc.CallInfo, client string) bool {
	return !h.perClient || call.ClientID == client
}

// attach serves attach_remote: it creates the instance of widget name at
// id, unless it exists, and keeps it.
func (h *Host) attach(ctx context.Context, id, name string, kwargs rpc.Kwargs) error {
	call, _ := rpc.FromContext(ctx)
	client, wid, err := splitID(id)
	if err != nil {
		return err
	}
	if h.perClient {
		if call.Client == nil {
			return errors.New("widgets per client need a client-aware server and a client id")
		}
		if !h.owns(call, client) {
			return fmt.Errorf("widget id %s is not of the calling client", strconv.Quote(id))
		}
	}
	remoteName := name
	if rn, ok := kwargs["remote_name"].(string); ok && rn != "" {
		remoteName = rn
	}
	delete(kwargs, "remote_name")
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.groups[name][id] != nil {
		return nil
	}
	make := h.kinds[name]
	if make == nil {
		return fmt.Errorf("no widget called %s", strconv.Quote(name))
	}
	inst := &Instance{Name: name, ClientID: client, ID: wid, RemoteName: remoteName, Kwargs: kwargs}
	if h.perClient {
		inst.remote = call.Client
	}
	obj, err := rpc.NewObject(make(inst))
	if err != nil {
		return err
	}
	inst.obj = obj
	h.storeLocked(inst)
	return nil
}

// storeLocked keeps inst; the caller holds h.mu.
func (h *Host) storeLocked(inst *Instance) {
	g := h.groups[inst.Name]
	if g == nil {
		g = map[string]*Instance{}
		h.groups[inst.Name] = g
	}
	g[inst.ClientID+"."+inst.ID] = inst
}

// detach serves detach_remote: it removes that one instance, and no other
// of its name.
func (h *Host) detach(ctx context.Context, id, name string) error {
	call, _ := rpc.FromContext(ctx)
	client, _, err := splitID(id)
	if err != nil {
		return err
	}
	if h.owns(call, client) {
		h.remove(name, id)
	}
	return nil
}

// remove drops the instance of name at id.
func (h *Host) remove(name, id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if g := h.groups[name]; g != nil {
		delete(g, id)
		if len(g) == 0 {
			delete(h.groups, name)
		}
	}
}

// request serves request_widget: on a client, the server asks it to attach
// its widget again; on a server, where the instance is its own, there is
// nothing to do.
func (h *Host) request(ctx context.Context, name, id string) error {
	h.mu.Lock()
	inst := h.groups[name][id]
	h.mu.Unlock()
	if inst == nil || inst.handle == nil {
		return nil
	}
	return inst.handle.attach(ctx)
}

// serve handles a call of an instance: name is the widget's name, id
// "<client>.<id>".
func (h *Host) serve(ctx context.Context, call *rpc.CallInfo, name, id string) (any, error) {
	h.mu.Lock()
	g := h.groups[name]
	inst := g[id]
	h.mu.Unlock()
	if inst == nil || !h.owns(call, inst.ClientID) {
		return nil, &rpc.WidgetNotFoundError{Name: name, ID: id, Known: len(g) > 0}
	}
	return inst.obj.Call(ctx, call.Method, call.Message.Args, call.Message.Kwargs)
}

// dropClient drops the instances of a client that a client-aware server
// dropped: idle, or the server closing.
func (h *Host) dropClient(r *rpc.Remote) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for name, g := range h.groups {
		for id, inst := range g {
			if inst.ClientID == r.ID {
				delete(g, id)
			}
		}
		if len(g) == 0 {
			delete(h.groups, name)
		}
	}
}

// add makes v the local side of a client's widget w, which the server
// calls by the name w attached with.
func (h *Host) add(w *Widget, v any) error {
	obj, err := rpc.NewObject(v)
	if err != nil {
		return err
	}
	inst := &Instance{Name: w.localName, ClientID: w.client, ID: w.ID, RemoteName: w.Name, obj: obj, handle: w}
	h.mu.Lock()
	h.storeLocked(inst)
	h.mu.Unlock()
	return nil
}

func checkSegment(what, s string) error {
	if s == "" || strings.ContainsAny(s, ". ") {
		return fmt.Errorf("widget: %s %s must be one path segment", what, strconv.Quote(s))
	}
	return nil
}
