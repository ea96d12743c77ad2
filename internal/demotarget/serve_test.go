package demotarget

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stampedehq/stampede/internal/fakeclock"
)

// startServing serves s on a loopback port until the test ends or stop is
// called; stop returns Serve's error.
func startServing(t *testing.T, s *Server) (baseURL string, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	var stopErr error
	stopped := false
	stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			stopErr = <-served
		}
		return stopErr
	}
	t.Cleanup(func() { _ = stop() })
	return "http://" + ln.Addr().String(), stop
}

func TestServeAndShutdown(t *testing.T) {
	s := newTestServer(t, Options{})
	baseURL, stop := startServing(t, s)
	client := &http.Client{Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()

	resp, err := client.Post(baseURL+"/todo", "application/json", strings.NewReader(`{"Description": "d"}`))
	if err != nil {
		t.Fatal(err)
	}
	var item Item
	err = json.NewDecoder(resp.Body).Decode(&item)
	_ = resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusCreated || item.ID != 1 {
		t.Fatalf("POST /todo: %d %+v %v", resp.StatusCode, item, err)
	}
	resp, err = client.Get(baseURL + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	assertSameJSON(t, string(body), `{"routes": {"POST /todo": {"201": 1}}, "total": 1, "items": 1}`)

	if err := stop(); err != nil {
		t.Fatalf("Serve after shutdown: %v, want nil", err)
	}
	if _, err := client.Get(baseURL + "/healthz"); err == nil {
		t.Error("the server still answers after shutdown")
	}
}

// TestShutdownReleasesHeld checks that a shutdown answers a request held by
// a stall 503 at once, counts it, and returns nil.
func TestShutdownReleasesHeld(t *testing.T) {
	clock := fakeclock.New()
	start := clock.Now()
	s := newTestServer(t, Options{Stall: Stall{For: time.Hour - time.Second, Every: time.Hour}, Now: clock.Now})
	clock.Set(start.Add(2 * time.Second)) // 59m58s of stall to go
	baseURL, stop := startServing(t, s)

	type result struct {
		status int
		body   string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		client := &http.Client{Timeout: time.Minute}
		resp, err := client.Get(baseURL + "/hello")
		if err != nil {
			done <- result{err: err}
			return
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		done <- result{status: resp.StatusCode, body: string(body), err: err}
	}()
	waitHeld(t, s, 1)
	if err := stop(); err != nil {
		t.Fatalf("Serve: %v, want nil", err)
	}
	got := <-done
	if got.err != nil || got.status != http.StatusServiceUnavailable || !strings.Contains(got.body, "shutting down") {
		t.Fatalf("held request got %d %q %v, want 503 shutting down", got.status, got.body, got.err)
	}
	assertStats(t, s.Stats(), Stats{Routes: map[string]map[string]int64{"GET /hello": {"503": 1}}, Total: 1})
}

func TestListenAndServe(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.ListenAndServe(ctx, "127.0.0.1:0"); err != nil {
		t.Errorf("ListenAndServe with a done context: %v, want nil", err)
	}
	err := s.ListenAndServe(context.Background(), "127.0.0.1:99999")
	if err == nil || !strings.Contains(err.Error(), `listen on "127.0.0.1:99999"`) {
		t.Errorf("ListenAndServe on a bad port: %v, want an error naming the address", err)
	}
}

func TestServeOnClosedListener(t *testing.T) {
	s := newTestServer(t, Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_ = ln.Close()
	if err := s.Serve(context.Background(), ln); err == nil || !strings.Contains(err.Error(), "demotarget: serve on 127.0.0.1:") {
		t.Errorf("Serve on a closed listener: %v, want an error naming the address", err)
	}
}

// TestShutdownClosesFreshConns checks that a connection which never sent a
// request (a load generator's spare) does not hold up a shutdown: net/http
// alone would wait 5s for it.
func TestShutdownClosesFreshConns(t *testing.T) {
	s := newTestServer(t, Options{})
	baseURL, stop := startServing(t, s)
	conn, err := net.Dial("tcp", strings.TrimPrefix(baseURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A request on another connection proves the server has accepted by now.
	resp, err := http.Get(baseURL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()

	began := time.Now()
	if err := stop(); err != nil {
		t.Fatalf("Serve: %v, want nil", err)
	}
	// Generous: the point is not waiting 5s, not being fast.
	if took := time.Since(began); took >= 4*time.Second {
		t.Errorf("shutdown took %v with a fresh connection open, want well under 5s", took)
	}
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Error("the fresh connection is still open after shutdown")
	}
}
