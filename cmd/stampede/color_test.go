package main

import (
	"bytes"
	"os"
	"testing"
)

func TestColorOnlyOnATerminalWithoutNoColor(t *testing.T) {
	var buf bytes.Buffer
	if colorOn(&buf, nil) {
		t.Error("colour on for a buffer")
	}
	// /dev/null is a character device, as a terminal is; NO_COLOR still wins.
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if !colorOn(null, []string{"HOME=/root"}) {
		t.Error("colour off for a character device")
	}
	if colorOn(null, []string{"NO_COLOR=1"}) {
		t.Error("colour on despite NO_COLOR=1")
	}
	if !colorOn(null, []string{"NO_COLOR="}) {
		t.Error("an empty NO_COLOR must not turn colour off (no-color.org)")
	}
	if verdict(true, false) != "PASS" || verdict(false, true) != "\033[31mFAIL\033[0m" {
		t.Errorf("verdicts: %q %q", verdict(true, false), verdict(false, true))
	}
}

func TestProgressLine(t *testing.T) {
	line := formatProgress(4e9, sample{users: 10, targetUsers: 20, workers: 2, desired: 3, requests: 300, failures: 3, p95: 12e6, cpu: 0.5},
		sample{requests: 100, failures: 1}, 2e9)
	want := "    4s  users 10/20  workers 2/3  requests 300  rps 100.0  p95 12ms  errors 1.00%  cpu 50%"
	if line != want {
		t.Errorf("progress line\n got %q\nwant %q", line, want)
	}
}
