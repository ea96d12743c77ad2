package main

import (
	"fmt"
	"testing"
	"time"
)

func TestExpectedLatency(t *testing.T) {
	base := 200 * time.Microsecond
	oneInTen := stall{window: time.Second, period: 10 * time.Second}
	tests := []struct {
		q    float64
		s    stall
		want time.Duration
	}{
		{0.5, oneInTen, base},
		{0.9, oneInTen, base}, // the last arrival outside a stall
		{0.95, oneInTen, base + 500*time.Millisecond},
		{0.99, oneInTen, base + 900*time.Millisecond},
		{1, oneInTen, base + time.Second},
		{0.5, stall{window: 5 * time.Second, period: 10 * time.Second}, base},
		{0.75, stall{window: 5 * time.Second, period: 10 * time.Second}, base + 2500*time.Millisecond},
		{0.999, stall{window: 100 * time.Millisecond, period: time.Second}, base + 99*time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v@%v", tt.q, tt.s), func(t *testing.T) {
			got := expectedLatency(tt.q, base, tt.s)
			if diff := (got - tt.want).Abs(); diff > time.Microsecond {
				t.Errorf("expectedLatency(%v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

// The quantile function must not decrease with q.
func TestExpectedLatencyMonotonic(t *testing.T) {
	s := stall{window: time.Second, period: 10 * time.Second}
	prev := time.Duration(0)
	for i := 1; i <= 1000; i++ {
		got := expectedLatency(float64(i)/1000, time.Millisecond, s)
		if got < prev {
			t.Fatalf("q=%v: %v < %v", float64(i)/1000, got, prev)
		}
		prev = got
	}
}

func TestParseStall(t *testing.T) {
	tests := []struct {
		text    string
		want    stall
		wantErr bool
	}{
		{text: "1s/10s", want: stall{window: time.Second, period: 10 * time.Second}},
		{text: " 500ms / 2s ", want: stall{window: 500 * time.Millisecond, period: 2 * time.Second}},
		{text: "10s/10s", wantErr: true},
		{text: "0s/10s", wantErr: true},
		{text: "1s", wantErr: true},
		{text: "x/10s", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := parseStall(tt.text)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseStall(%q) = %v, %v; want %v, error %v", tt.text, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestInFlightFor(t *testing.T) {
	if got := inFlightFor(1000, time.Second); got != 1500 {
		t.Errorf("inFlightFor(1000, 1s) = %d, want 1500", got)
	}
}

func Example_expectedLatency() {
	s := stall{window: time.Second, period: 10 * time.Second}
	for _, q := range []float64{0.5, 0.9, 0.95, 0.99, 1} {
		fmt.Printf("p%v: %v\n", q*100, expectedLatency(q, time.Millisecond, s))
	}
	// Output:
	// p50: 1ms
	// p90: 1ms
	// p95: 501ms
	// p99: 901ms
	// p100: 1.001s
}
