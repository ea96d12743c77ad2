package generator

import (
	"net"
	"net/http"
	"time"
)

// NewTransport returns the one HTTP transport a worker shares between its
// users: keep-alive on, and enough idle connections per host that a user
// never waits for another's connection to be returned (otherwise
// connections churn and the measurement includes handshakes the target
// would not see from real clients). It does not ask for compression on its
// own: a scenario that wants it sets Accept-Encoding and gets the body as
// the target encoded it, like the h1 transport.
func NewTransport(concurrency int) *http.Transport {
	idle := max(concurrency, 100)
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          idle,
		MaxIdleConnsPerHost:   idle,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
	}
}
