package engineer

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// webUsage is the usage of the web tool, after "engineer ".
const webUsage = "web [--listen ADDR] HOST"

// defaultWebListen is where the console listens without --listen: a free
// port of loopback, which only this machine reaches.
const defaultWebListen = "127.0.0.1:0"

// How long the console's HTTP server waits for a request's header and
// body, keeps an idle connection, and lets requests finish at the end.
const (
	webHeaderWait   = 5 * time.Second
	webReadWait     = 10 * time.Second
	webIdleWait     = 2 * time.Minute
	webShutdownWait = 5 * time.Second
)

// web is "engineer web [--listen ADDR] HOST": it serves a console for the
// host's commands to a browser, at ADDR, until SIGINT, SIGTERM or the end
// of ctx. It prints "serving URL" first, the page to open.
func (c *cli) web(ctx context.Context, w *words) int {
	listen, host, err := c.webArgs(w.rest())
	if err != nil {
		return c.report(err)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := c.open(ctx, host)
	if err != nil {
		return c.report(err)
	}
	defer s.close()
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return c.report(fmt.Errorf("web: %w", err))
	}
	srv := &http.Server{
		Handler:           c.webHandler(s),
		ReadHeaderTimeout: webHeaderWait,
		ReadTimeout:       webReadWait,
		// A response waits for a call, which the timeout bounds.
		WriteTimeout:   c.timeout + webReadWait,
		IdleTimeout:    webIdleWait,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       log.New(c.io.Stderr, "engineer: web: ", 0),
		// Calls under way end with the command.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	url := "http://" + ln.Addr().String() + "/"
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		fmt.Fprintf(c.io.Stderr, "engineer: warning: %s is reachable from other machines, and whoever reaches it runs %s's commands\n", ln.Addr(), host)
	}
	if c.json {
		c.printJSON(map[string]any{"serving": url})
	} else {
		fmt.Fprintf(c.io.Stdout, "serving %s\n", url)
	}

	select {
	case <-ctx.Done():
		shutCtx, cancel := context.WithTimeout(context.Background(), webShutdownWait)
		defer cancel()
		if srv.Shutdown(shutCtx) != nil {
			srv.Close() // requests that did not finish in time
		}
		err = <-served
	case err = <-served:
	}
	if !errors.Is(err, http.ErrServerClosed) {
		return c.report(fmt.Errorf("web: %w", err))
	}
	return ExitOK
}

// webArgs reads the words after "web": --listen ADDR and one HOST, and
// global options.
func (c *cli) webArgs(words []string) (listen, host string, err error) {
	listen = defaultWebListen
	err = c.eachWord(words, func(word string) error {
		if host != "" {
			return &UsageError{Msg: "web takes one HOST, not also " + quote(word) + "; usage: engineer " + webUsage}
		}
		host = word
		return nil
	}, func(name, text string, hasText bool, next func(string) (string, error)) (bool, error) {
		if name != "listen" {
			return false, nil
		}
		var err error
		listen, err = valueOf("--listen", text, hasText, next)
		return true, err
	})
	switch {
	case err != nil:
		return "", "", err
	case host == "":
		return "", "", &UsageError{Msg: "web: missing HOST; usage: engineer " + webUsage}
	}
	if _, _, err := net.SplitHostPort(listen); err != nil {
		return "", "", &UsageError{Msg: fmt.Sprintf("option --listen: %q is not HOST:PORT, such as 127.0.0.1:8080", listen)}
	}
	return listen, host, nil
}
