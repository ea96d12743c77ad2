package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestWaitForGauge(t *testing.T) {
	var users atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "# TYPE stampede_users gauge\nstampede_users{run_id=\"x\"} %d\n", users.Add(10))
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	got, err := waitForGauge(ctx, srv.URL, "stampede_users", 30)
	if err != nil || got < 30 {
		t.Errorf("waitForGauge = %v, %v; want ≥ 30", got, err)
	}

	short, cancelShort := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancelShort()
	if _, err := waitForGauge(short, srv.URL, "stampede_users", 1e12); err == nil {
		t.Error("unreachable value: no error")
	}
}

func TestScrapeEvery(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		fmt.Fprintln(w, "up 1")
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	got := scrapeEvery(ctx, srv.URL, 20*time.Millisecond)
	if got < 1 || int64(got) != hits.Load() {
		t.Errorf("scrapes %d, server saw %d; want equal and ≥ 1", got, hits.Load())
	}
}

func TestWaitForK6VUs(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `{"data":{"attributes":{"vus":1000,"running":true}}}`)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := waitForK6VUs(ctx, srv.URL, 1000); err != nil {
		t.Error(err)
	}
}
