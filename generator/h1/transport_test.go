package h1_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stampedehq/stampede/generator/h1"
)

// server is a test target that counts the connections it accepted.
type server struct {
	*httptest.Server
	conns atomic.Int64
}

func newServer(t *testing.T, h http.HandlerFunc, configure ...func(*http.Server)) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewUnstartedServer(h)
	for _, f := range configure {
		f(s.Config)
	}
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// do sends one request and reads the whole body.
func do(t *testing.T, rt http.RoundTripper, method, url, body string) (*http.Response, string, error) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

func TestExchanges(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/echo":
			b, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s %s %s", r.Method, r.Header.Get("X-Test"), b)
		case "/chunked":
			for i := range 3 {
				fmt.Fprintf(w, "part%d;", i)
				w.(http.Flusher).Flush()
			}
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		case "/close":
			w.Header().Set("Connection", "close")
			io.WriteString(w, "bye")
		case "/early-hints":
			w.Header().Set("Link", "</style.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
			io.WriteString(w, "after hints")
		default:
			http.NotFound(w, r)
		}
	})
	tr := h1.New(h1.Options{})
	defer tr.CloseIdleConnections()

	for _, tc := range []struct {
		name, method, path, body string
		wantStatus               int
		wantBody                 string
	}{
		{"get", "GET", "/echo", "", 200, "GET  "},
		{"post with body", "POST", "/echo", "hello", 200, "POST  hello"},
		{"chunked response", "GET", "/chunked", "", 200, "part0;part1;part2;"},
		{"no content", "DELETE", "/empty", "", 204, ""},
		{"head", "HEAD", "/echo", "", 200, ""},
		{"not found", "GET", "/nope", "", 404, "404 page not found\n"},
		{"connection close", "GET", "/close", "", 200, "bye"},
		{"103 early hints first", "GET", "/early-hints", "", 200, "after hints"},
		{"get after close", "GET", "/echo", "", 200, "GET  "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body, err := do(t, tr, tc.method, srv.URL+tc.path, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantStatus || body != tc.wantBody {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tc.wantStatus, tc.wantBody)
			}
		})
	}
	// One connection for everything but the one the target closed.
	if n := srv.conns.Load(); n != 2 {
		t.Errorf("the target saw %d connections, want 2 (keep-alive, and one after Connection: close)", n)
	}
}

func TestKeepAliveUnderConcurrency(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	tr := h1.New(h1.Options{})
	defer tr.CloseIdleConnections()
	const workers, each = 8, 200
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range workers {
		wg.Go(func() {
			for range each {
				if _, body, err := do(t, tr, "GET", srv.URL, ""); err != nil || body != "ok" {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if failed.Load() != 0 {
		t.Errorf("%d requests failed", failed.Load())
	}
	if n := srv.conns.Load(); n > workers {
		t.Errorf("%d connections for %d concurrent users", n, workers)
	}
}

func TestMaxConnsPerHostMakesRequestsWait(t *testing.T) {
	var inFlight, peak atomic.Int64
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(2 * time.Millisecond)
		inFlight.Add(-1)
		io.WriteString(w, "ok")
	})
	tr := h1.New(h1.Options{MaxConnsPerHost: 3})
	defer tr.CloseIdleConnections()
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range 12 {
		wg.Go(func() {
			for range 20 {
				if _, _, err := do(t, tr, "GET", srv.URL, ""); err != nil {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if failed.Load() != 0 || srv.conns.Load() > 3 || peak.Load() > 3 {
		t.Errorf("failed %d, connections %d, peak in flight %d; want 0, <= 3, <= 3", failed.Load(), srv.conns.Load(), peak.Load())
	}
}

func TestWaitingForAConnectionEndsWithTheContext(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	tr := h1.New(h1.Options{MaxConnsPerHost: 1})
	defer tr.CloseIdleConnections()

	first, _ := http.NewRequest("GET", srv.URL, nil)
	ctx1, cancel1 := context.WithCancel(context.Background())
	defer cancel1()
	errs := make(chan error, 1)
	go func() {
		_, err := tr.RoundTrip(first.WithContext(ctx1))
		errs <- err
	}()
	time.Sleep(50 * time.Millisecond) // the first holds the only connection

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	second, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	if _, err := tr.RoundTrip(second); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting request: %v, want the context's deadline", err)
	}
	cancel1()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled request: %v, want context.Canceled", err)
	}
}

func TestCancelUnblocksARequestInFlight(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		io.WriteString(w, "half")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	tr := h1.New(h1.Options{})
	defer tr.CloseIdleConnections()

	cause := errors.New("request timeout (50ms) exceeded")
	t.Run("waiting for the head", func(t *testing.T) {
		hang := newServer(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		ctx, cancel := context.WithCancelCause(context.Background())
		time.AfterFunc(50*time.Millisecond, func() { cancel(cause) })
		req, _ := http.NewRequestWithContext(ctx, "GET", hang.URL, nil)
		if _, err := tr.RoundTrip(req); !errors.Is(err, cause) {
			t.Errorf("got %v, want the cancel cause", err)
		}
	})
	t.Run("reading the body", func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		time.AfterFunc(50*time.Millisecond, func() { cancel(cause) })
		if _, err := io.ReadAll(resp.Body); !errors.Is(err, cause) {
			t.Errorf("got %v, want the cancel cause", err)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
		resp, err := tr.RoundTrip(req)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v, want context.DeadlineExceeded", err)
		}
	})
}

// TestTargetClosingIdleConnections: a target that closes kept-alive
// connections between requests (a short idle timeout) costs nothing: the
// closed connection is noticed before it is used.
func TestTargetClosingIdleConnections(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s", r.Method, b)
	}, func(s *http.Server) { s.IdleTimeout = 20 * time.Millisecond })
	tr := h1.New(h1.Options{})
	defer tr.CloseIdleConnections()
	for i, tc := range []struct {
		method string
		idle   time.Duration
	}{
		{"GET", 0}, {"POST", 100 * time.Millisecond}, {"PUT", 60 * time.Millisecond},
		{"GET", 60 * time.Millisecond}, {"DELETE", 60 * time.Millisecond},
	} {
		time.Sleep(tc.idle) // past the target's idle timeout
		_, body, err := do(t, tr, tc.method, srv.URL, "x")
		if err != nil || body != tc.method+" x" {
			t.Errorf("request %d (%s after %s idle): %q, %v", i, tc.method, tc.idle, body, err)
		}
	}
	if n := srv.conns.Load(); n != 5 {
		t.Errorf("the target saw %d connections, want 5: it closed each after its request", n)
	}
}

func TestBodyClosedEarlyDoesNotPoisonThePool(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 64<<10))
	})
	tr := h1.New(h1.Options{})
	defer tr.CloseIdleConnections()
	for range 3 {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		io.ReadFull(resp.Body, make([]byte, 10))
		resp.Body.Close()
	}
	if _, body, err := do(t, tr, "GET", srv.URL, ""); err != nil || len(body) != 64<<10 {
		t.Errorf("after early closes: %d bytes, %v", len(body), err)
	}
}

func TestFallback(t *testing.T) {
	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Proto) }))
	defer tls.Close()
	plain := newServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "plain") })

	if _, _, err := do(t, h1.New(h1.Options{}), "GET", tls.URL, ""); err == nil || !strings.Contains(err.Error(), "no fallback") {
		t.Errorf("https without a fallback: %v", err)
	}
	fallback := tls.Client().Transport
	tr := h1.New(h1.Options{Fallback: fallback})
	defer tr.CloseIdleConnections()
	if _, body, err := do(t, tr, "GET", tls.URL, ""); err != nil || body != "HTTP/1.1" {
		t.Errorf("https through the fallback: %q, %v", body, err)
	}
	req, _ := http.NewRequest("PUT", plain.URL, strings.NewReader("x"))
	req.Header.Set("Expect", "100-continue")
	if resp, err := tr.RoundTrip(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("Expect through the fallback: %v", err)
	} else {
		resp.Body.Close()
	}
}

func TestDialErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	tr := h1.New(h1.Options{MaxConnsPerHost: 1})
	for range 3 { // the failed dial gives its slot back
		if _, _, err := do(t, tr, "GET", "http://"+addr, ""); err == nil || !strings.Contains(err.Error(), "refused") {
			t.Errorf("dead target: %v, want connection refused", err)
		}
	}
}

// TestClosedKeptAliveConnectionIsRetried: a target that closes every
// connection right after its answer, without saying so: the next request
// meets the close and, being replayable, is sent again on a new connection.
func TestClosedKeptAliveConnectionIsRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer ln.Close()
	var accepted atomic.Int64
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			if _, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}
			c.Close()
		}
	})
	tr := h1.New(h1.Options{})
	defer tr.CloseIdleConnections()
	for i := range 5 {
		if _, body, err := do(t, tr, "GET", "http://"+ln.Addr().String(), ""); err != nil || body != "ok" {
			t.Errorf("request %d: %q, %v", i, body, err)
		}
	}
	if n := accepted.Load(); n != 5 {
		t.Errorf("%d connections, want 5", n)
	}
}
