package demotarget

import (
	"strings"
	"testing"
	"time"
)

func TestParseStall(t *testing.T) {
	tests := []struct {
		in      string
		want    Stall
		wantStr string
		wantErr string // a part of the error; "" for none
	}{
		{in: "", want: Stall{}, wantStr: "0s"},
		{in: "0", want: Stall{}, wantStr: "0s"},
		{in: "1s/10s", want: Stall{For: time.Second, Every: 10 * time.Second}, wantStr: "1s/10s"},
		{in: " 250ms / 1m ", want: Stall{For: 250 * time.Millisecond, Every: time.Minute}, wantStr: "250ms/1m0s"},
		{in: "1s", wantErr: `stall "1s": want FOR/EVERY, for example 1s/10s`},
		{in: "1s/", wantErr: `stall "1s/": period: time: invalid duration ""`},
		{in: "x/10s", wantErr: `stall "x/10s": window: time: invalid duration "x"`},
		{in: "10s/10s", wantErr: "window (For) 10s must be shorter than the period (Every) 10s"},
		{in: "11s/10s", wantErr: "must be shorter than the period"},
		{in: "0s/10s", wantErr: "window (For) 0s must be positive"},
		{in: "-1s/10s", wantErr: "window (For) -1s must be positive"},
		{in: "1s/-10s", wantErr: "period (Every) -10s must be positive"},
		{in: "1s/10s/20s", wantErr: `stall "1s/10s/20s": period`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseStall(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseStall(%q) error %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseStall(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseStall(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if got.String() != tt.wantStr {
				t.Errorf("String() = %q, want %q", got.String(), tt.wantStr)
			}
		})
	}
}

func TestStallRemaining(t *testing.T) {
	s := Stall{For: time.Second, Every: 10 * time.Second}
	ms := time.Millisecond
	tests := []struct {
		elapsed time.Duration
		want    time.Duration
	}{
		{0, 0},
		{8999 * ms, 0},
		{9 * time.Second, time.Second}, // the window starts
		{9800 * ms, 200 * ms},
		{9999 * ms, ms},
		{10 * time.Second, 0}, // and ends
		{19500 * ms, 500 * ms},
		{-500 * ms, 500 * ms}, // a clock before the start is still aligned
		{-2 * time.Second, 0},
	}
	for _, tt := range tests {
		if got := s.remaining(tt.elapsed); got != tt.want {
			t.Errorf("remaining(%v) = %v, want %v", tt.elapsed, got, tt.want)
		}
	}
	if got := (Stall{}).remaining(9 * time.Second); got != 0 {
		t.Errorf("zero Stall remaining = %v, want 0", got)
	}
}
