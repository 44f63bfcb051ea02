// Package widget attaches named remote objects to rpc clients and servers,
// as the original's API widgets.
//
// A widget has a name, such as "demo", and an id chosen by the client,
// such as "widget_a". A client Attaches to it; its calls then go to the
// server-side instance of the same name and id, on the path
// "<path>.call.widgets.<name>.<client id>.<widget id>".
//
// On a plain server, instances are shared by id among all clients: two
// clients attached to "widget_a" see the same object. A Host with
// PerClient set, on a client-aware rpc server, keeps instances per client
// instead, drops them with the client, and lets a server instance call
// the client's side of the widget (Instance.Call), when the client is
// two-way and has a Host of its own.
//
// A call to an instance the server lacks, after a server restart say,
// makes the client attach again and retry once. Detaching removes that
// one instance, not the others of the same name.
package widget
