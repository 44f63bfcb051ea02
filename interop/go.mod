module github.com/xbahn-go/xbahn/interop

go 1.26

require (
	github.com/pebbe/zmq4 v1.4.0
	github.com/xbahn-go/xbahn v0.0.0
)

replace github.com/xbahn-go/xbahn => ../
