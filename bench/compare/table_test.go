package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestTableWrite(t *testing.T) {
	tab := newTable("client", "requests/s", "p50")
	tab.add("**stampede**", fmtRate(49681.4), fmtLatency(172*time.Microsecond))
	tab.add("a|b", "1")
	tab.skipRow("k6", "not found")
	var b strings.Builder
	if err := tab.write(&b); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"| client       | requests/s         | p50   |\n" +
		"|--------------|--------------------|-------|\n" +
		"| **stampede** | 49,681             | 172µs |\n" +
		"| a\\|b         | 1                  |       |\n" +
		"| k6           | skipped: not found |       |\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestFormat(t *testing.T) {
	tests := []struct{ got, want string }{
		{fmtCount(0), "0"},
		{fmtCount(999), "999"},
		{fmtCount(1000), "1,000"},
		{fmtCount(1234567), "1,234,567"},
		{fmtCount(-1234), "-1,234"},
		{fmtRate(12.34), "12.3"},
		{fmtRate(99681.6), "99,682"},
		{fmtLatency(0), "0µs"},
		{fmtLatency(999 * time.Microsecond), "999µs"},
		{fmtLatency(1234 * time.Microsecond), "1.23ms"},
		{fmtLatency(12345 * time.Microsecond), "12.3ms"},
		{fmtLatency(123456 * time.Microsecond), "123ms"},
		{fmtLatency(1016 * time.Millisecond), "1.02s"},
		{fmtCPU(0.973), "97%"},
		{fmtCPU(0), "–"},
		{fmtRatio(3, 2), "1.50"},
		{fmtRatio(1, 0), "–"},
		{fmtMiB(266 << 20), "266.0 MiB"},
		{fmtKiB(43.5 * 1024), "43.5 KiB"},
		{verdict("stampede ÷ hey", 1.25, 1.2, true), "- stampede ÷ hey: 1.25, target ≥ 1.2: met"},
		{verdict("per user", 0.15, 0.1, false), "- per user: 0.15, target ≤ 0.1: missed"},
		{verdict("x", 0, 2, true), "- x: not measured"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}

func TestLatencyCell(t *testing.T) {
	var r result
	if got := latencyCell(r, p99); got != "–" {
		t.Errorf("missing quantile: %q, want –", got)
	}
	r.setLatency(p99, 2*time.Millisecond)
	if got := latencyCell(r, p99); got != "2.00ms" {
		t.Errorf("p99: %q, want 2.00ms", got)
	}
}

func TestMedianByRate(t *testing.T) {
	runs := []result{{rps: 3}, {rps: 1}, {rps: 2}, {rps: 5}}
	if got := medianByRate(runs); got.rps != 2 {
		t.Errorf("median of 4 = %v, want the lower middle 2", got.rps)
	}
	if got := medianByRate(runs[:3]); got.rps != 2 {
		t.Errorf("median of 3 = %v, want 2", got.rps)
	}
	crud := []result{{rps: 100, iterPerSec: 30}, {rps: 90, iterPerSec: 10}, {rps: 80, iterPerSec: 20}}
	if got := medianByRate(crud); got.iterPerSec != 20 {
		t.Errorf("median by iterations/s = %v, want 20", got.iterPerSec)
	}
}

func TestPerUser(t *testing.T) {
	rows := []memoryRow{
		{client: "stampede", mode: "one per user", users: 10, rss: 30 << 20},
		{client: "stampede", mode: "one per user", users: 1010, rss: 30<<20 + 1000*40*1024},
		{client: "stampede", mode: "pool", users: 1010, rss: 1},
		{client: "k6", mode: "one per VU", users: 10, skip: "k6 not found"},
		{client: "k6", mode: "one per VU", users: 1000, skip: "k6 not found"},
	}
	if got, ok := perUser(rows, rows[1]); !ok || got != 40*1024 {
		t.Errorf("perUser = %v, %v; want 40 KiB", got, ok)
	}
	for _, i := range []int{0, 2, 4} {
		if got, ok := perUser(rows, rows[i]); ok {
			t.Errorf("row %d: perUser = %v, want none (baseline, no baseline, skipped)", i, got)
		}
	}
}

func Example_table() {
	tab := newTable("client", "requests/s")
	tab.add("wrk -t1 -c50", fmtRate(94123))
	_ = tab.write(os.Stdout)
	// Output:
	// | client       | requests/s |
	// |--------------|------------|
	// | wrk -t1 -c50 | 94,123     |
}
