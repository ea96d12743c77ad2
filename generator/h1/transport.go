package h1

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Options configure a Transport. Zero values take the defaults below.
type Options struct {
	// DialContext opens connections; nil uses a net.Dialer with a 10s
	// timeout.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// MaxConnsPerHost caps the connections to one host:port, idle or not;
	// a request past it waits for one. 0: no cap.
	MaxConnsPerHost int
	// MaxIdleConnsPerHost is how many idle connections a host keeps
	// (default 100); more are closed when returned.
	MaxIdleConnsPerHost int
	// IdleConnTimeout closes a connection idle longer than this when it is
	// next wanted (default 90s).
	IdleConnTimeout time.Duration
	// Proxy, when it names a proxy for a request, sends that request to
	// Fallback (nil: no proxies).
	Proxy func(*http.Request) (*url.URL, error)
	// Fallback takes the requests this transport does not handle: other
	// schemes than http, proxied requests, Expect: 100-continue. nil
	// refuses them.
	Fallback http.RoundTripper
}

// Defaults for the Options left at zero.
const (
	DefaultMaxIdleConnsPerHost = 100
	DefaultIdleConnTimeout     = 90 * time.Second
	dialTimeout                = 10 * time.Second
)

// Transport is an http.RoundTripper for plain HTTP/1.1; see the package
// comment. It is safe for concurrent use.
type Transport struct {
	opts  Options
	hosts sync.Map // host:port → *pool
	bufs  buffers
}

// New returns a Transport with opts.
func New(opts Options) *Transport {
	if opts.DialContext == nil {
		opts.DialContext = (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext
	}
	if opts.MaxIdleConnsPerHost <= 0 {
		opts.MaxIdleConnsPerHost = DefaultMaxIdleConnsPerHost
	}
	if opts.MaxConnsPerHost > 0 {
		opts.MaxIdleConnsPerHost = min(opts.MaxIdleConnsPerHost, opts.MaxConnsPerHost)
	}
	if opts.IdleConnTimeout <= 0 {
		opts.IdleConnTimeout = DefaultIdleConnTimeout
	}
	return &Transport{opts: opts}
}

// errNoFallback answers a request that needs the fallback when there is none.
var errNoFallback = errors.New("h1: request needs TLS, a proxy or Expect: 100-continue, and there is no fallback transport")

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.handles(req) {
		if t.opts.Fallback == nil {
			closeBody(req)
			return nil, errNoFallback
		}
		return t.opts.Fallback.RoundTrip(req)
	}
	p := t.pool(canonicalAddr(req.URL))
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		c, err := p.get(ctx, t.opts)
		if err != nil {
			closeBody(req)
			return nil, err
		}
		resp, err := c.exchange(ctx, req, p)
		if err == nil {
			return resp, nil
		}
		p.discard(c)
		// A kept-alive connection the target closed while it sat idle fails
		// before any byte of the answer: send again on a new one, when
		// sending twice cannot do harm (as net/http does).
		if attempt == 0 && c.reused && c.read == 0 && ctx.Err() == nil && replayable(req) {
			if req, err = rewind(req); err == nil {
				continue
			}
		}
		closeBody(req)
		return nil, err
	}
}

// handles reports whether the request is plain HTTP/1.1 this transport
// sends itself.
func (t *Transport) handles(req *http.Request) bool {
	if req.URL == nil || req.URL.Scheme != "http" || req.URL.User != nil {
		return false
	}
	if _, ok := req.Header["Expect"]; ok {
		return false
	}
	if t.opts.Proxy != nil {
		if proxy, err := t.opts.Proxy(req); err != nil || proxy != nil {
			return false
		}
	}
	return true
}

func (t *Transport) pool(addr string) *pool {
	if p, ok := t.hosts.Load(addr); ok {
		return p.(*pool)
	}
	p, _ := t.hosts.LoadOrStore(addr, &pool{addr: addr, maxIdle: t.opts.MaxIdleConnsPerHost, bufs: &t.bufs})
	return p.(*pool)
}

// CloseIdleConnections closes the idle connections of every host, and
// those of the fallback.
func (t *Transport) CloseIdleConnections() {
	t.hosts.Range(func(_, p any) bool {
		p.(*pool).closeIdle()
		return true
	})
	if ci, ok := t.opts.Fallback.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// canonicalAddr is the URL's host:port, port 80 when none is given.
func canonicalAddr(u *url.URL) string {
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "80"
	}
	return net.JoinHostPort(host, port)
}

// replayable reports whether sending req twice cannot do harm: an
// idempotent method, or an Idempotency-Key, and a body that can be read
// again (net/http's rule).
func replayable(req *http.Request) bool {
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return false
	}
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	_, key := req.Header["Idempotency-Key"]
	_, xkey := req.Header["X-Idempotency-Key"]
	return key || xkey
}

// rewind returns req with a fresh body, for a second send.
func rewind(req *http.Request) (*http.Request, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	again := *req
	again.Body = body
	return &again, nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
