module github.com/xbahn-go/xbahn/interop

go 1.26.0

require (
	github.com/pebbe/zmq4 v1.4.0
	github.com/xbahn-go/xbahn v0.0.0
	github.com/xbahn-go/xbahn/zmtp/curve v0.0.0
)

require (
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)

replace github.com/xbahn-go/xbahn => ../

replace github.com/xbahn-go/xbahn/zmtp/curve => ../zmtp/curve
