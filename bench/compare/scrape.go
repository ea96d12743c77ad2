package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// fetch GETs url with a short timeout and returns the body of a 200 answer.
func fetch(ctx context.Context, client *http.Client, url string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return "", fmt.Errorf("GET %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return string(body), nil
}

// scrapeEvery GETs url every interval until ctx ends, the way Prometheus
// would scrape a worker, and returns how many scrapes got a whole 200 answer.
// Scrapes before the server is up simply do not count.
func scrapeEvery(ctx context.Context, url string, interval time.Duration) int {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	scrapes := 0
	for {
		select {
		case <-ctx.Done():
			return scrapes
		case <-ticker.C:
			if _, err := fetch(ctx, client, url); err == nil {
				scrapes++
			}
		}
	}
}

// waitForGauge polls a /metrics URL until the gauge reaches want or ctx
// ends; it returns the last value seen.
func waitForGauge(ctx context.Context, url, name string, want float64) (float64, error) {
	client := &http.Client{}
	defer client.CloseIdleConnections()
	last := 0.0
	for {
		if body, err := fetch(ctx, client, url); err == nil {
			if v, ok := parseGauge(body, name); ok {
				last = v
				if v >= want {
					return v, nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("%s reached %v of %v before %w", name, last, want, context.Cause(ctx))
		case <-time.After(250 * time.Millisecond):
		}
	}
}
