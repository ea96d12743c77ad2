package main

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParsePortRange(t *testing.T) {
	tests := []struct {
		text    string
		want    portRange
		wantErr bool
	}{
		{text: "32768\t60999\n", want: portRange{32768, 60999}},
		{text: "1024 65535", want: portRange{1024, 65535}},
		{text: "60999 32768", wantErr: true},
		{text: "0 100", wantErr: true},
		{text: "1024 70000", wantErr: true},
		{text: "1024", wantErr: true},
		{text: "a b", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := parsePortRange(tt.text)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parsePortRange(%q) = %v, %v; want %v, error %v", tt.text, got, err, tt.want, tt.wantErr)
			}
		})
	}
	if got := (portRange{32768, 60999}).size(); got != 28232 {
		t.Errorf("size = %d, want 28232", got)
	}
}

func TestEnsureFiles(t *testing.T) {
	if err := ensureFiles(10000, 20000); err != nil {
		t.Errorf("10,000 connections in 20,000 files: %v", err)
	}
	err := ensureFiles(50000, 20000)
	if err == nil || !strings.Contains(err.Error(), "RLIMIT_NOFILE allows 20000") {
		t.Errorf("50,000 connections in 20,000 files: %v, want the limit named", err)
	}
}

// The raised limit must reach children: os/exec hands them the limit the
// process started with unless the program set one itself. (Run the tests
// under `prlimit --nofile=1024:HARD` to see it matter.)
func TestRaiseFileLimitReachesChildren(t *testing.T) {
	limit, err := raiseFileLimit()
	if err != nil {
		t.Fatal(err)
	}
	out, err := outputOf(t.Context(), time.Minute, "sh", "-c", "ulimit -n")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out); got != strconv.FormatUint(limit, 10) {
		t.Errorf("child's ulimit -n = %s, want %d", got, limit)
	}
}
