package demotarget

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// tally counts responses per route and status, as a load generator sees them.
type tally map[string]map[string]int64

func (t tally) add(route string, status int) {
	if t[route] == nil {
		t[route] = map[string]int64{}
	}
	t[route][strconv.Itoa(status)]++
}

func (t tally) merge(other tally) {
	for route, byStatus := range other {
		for status, n := range byStatus {
			if t[route] == nil {
				t[route] = map[string]int64{}
			}
			t[route][status] += n
		}
	}
}

// TestConcurrentCountsMatch runs the CRUD flow from many goroutines over
// loopback, with failures injected, and checks that the server counted
// exactly what the clients saw.
func TestConcurrentCountsMatch(t *testing.T) {
	const (
		users      = 8
		iterations = 100
	)
	s := newTestServer(t, Options{ErrorRate: 0.2, Seed: 3})
	baseURL, stop := startServing(t, s)
	transport := &http.Transport{MaxIdleConnsPerHost: users}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: time.Minute}

	do := func(method, path, body string) (int, []byte, error) {
		req, err := http.NewRequest(method, baseURL+path, strings.NewReader(body))
		if err != nil {
			return 0, nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		return resp.StatusCode, data, err
	}

	var (
		mu       sync.Mutex
		seen     = tally{}
		live     int64
		requests int64
		wg       sync.WaitGroup
		errs     = make(chan error, users)
	)
	for user := range users {
		wg.Go(func() {
			mine, myLive, myRequests := tally{}, int64(0), int64(0)
			defer func() {
				mu.Lock()
				seen.merge(mine)
				live += myLive
				requests += myRequests
				mu.Unlock()
			}()
			for i := range iterations {
				status, body, err := do("POST", "/todo", fmt.Sprintf(`{"Description": "user %d item %d"}`, user, i))
				if err != nil {
					errs <- err
					return
				}
				mine.add("POST /todo", status)
				myRequests++
				if status != http.StatusCreated {
					continue
				}
				myLive++
				var item Item
				if err := json.Unmarshal(body, &item); err != nil {
					errs <- fmt.Errorf("POST /todo answered %q: %w", body, err)
					return
				}
				path := "/todo/" + strconv.FormatInt(item.ID, 10)
				for _, step := range []struct{ method, route, body string }{
					{"GET", "GET /todo/{id}", ""},
					{"PUT", "PUT /todo/{id}", `{"Completed": true}`},
					{"DELETE", "DELETE /todo/{id}", ""},
				} {
					status, _, err := do(step.method, path, step.body)
					if err != nil {
						errs <- err
						return
					}
					mine.add(step.route, status)
					myRequests++
					if step.method == "DELETE" && status == http.StatusNoContent {
						myLive--
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	assertStats(t, s.Stats(), Stats{Routes: seen, Total: requests, Items: int(live)})
	if failures := s.Stats().Routes["POST /todo"]["500"]; failures == 0 {
		t.Error("no injected failure at ErrorRate 0.2")
	}
}

// TestConcurrentHandler hammers the handler directly, without a network,
// so that the race detector sees many more interleavings of the store and
// the counters.
func TestConcurrentHandler(t *testing.T) {
	const (
		workers    = 8
		iterations = 500
	)
	s := newTestServer(t, Options{})
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range iterations {
				w := serveOne(s, "POST", "/todo", `{"Description": "d"}`)
				var item Item
				if err := json.Unmarshal(w.Body.Bytes(), &item); err != nil {
					t.Error(err)
					return
				}
				path := "/todo/" + strconv.FormatInt(item.ID, 10)
				serveOne(s, "GET", path, "")
				serveOne(s, "GET", "/todo", "")
				serveOne(s, "DELETE", path, "")
				_ = s.Stats()
			}
		})
	}
	wg.Wait()
	const n = workers * iterations
	assertStats(t, s.Stats(), Stats{
		Routes: map[string]map[string]int64{
			"POST /todo":        {"201": n},
			"GET /todo/{id}":    {"200": n},
			"GET /todo":         {"200": n},
			"DELETE /todo/{id}": {"204": n},
		},
		Total: 4 * n,
	})
}
