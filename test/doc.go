// Package test holds stampede's end-to-end tests: the real binary, built
// once per test run, run as processes against real HTTP servers on
// 127.0.0.1, with their /metrics scraped and parsed.
package test
