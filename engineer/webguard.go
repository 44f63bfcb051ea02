package engineer

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// The console runs the host's commands for whoever can send it a request,
// so it takes requests only from its own page and from programs, not from
// other web pages the browser shows:
//
//   - a request whose Host is a name other than localhost is refused: a
//     page of another site whose name was made to resolve to this machine
//     (DNS rebinding) would send its own name;
//   - a call from another origin (its Sec-Fetch-Site or Origin header
//     says so) is refused, by net/http's CrossOriginProtection;
//   - a call is application/json, which a page of another site cannot send
//     without asking first (a CORS preflight, which the console does not
//     answer).
//
// Every answer also tells the browser to run no script but the page's own
// and to show the page in no frame.

// guard wraps the console's handler h in those checks.
func guard(h http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		refuse(w, http.StatusForbidden, "a request from another site is refused")
	}))
	h = cop.Handler(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		hdr.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'")
		hdr.Set("X-Content-Type-Options", "nosniff")
		hdr.Set("Referrer-Policy", "no-referrer")
		hdr.Set("Cache-Control", "no-store")
		if !localName(r.Host) {
			refuse(w, http.StatusForbidden, "the console answers requests to localhost or an IP address, not to "+quote(r.Host))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// localName reports whether the host of a Host header, with or without its
// port, is localhost or an IP address: a name no other site has.
func localName(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(host, ".")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	_, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	return err == nil
}
