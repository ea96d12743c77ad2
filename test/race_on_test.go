//go:build race

package test

// raceBuild makes the binary under test race-instrumented when the tests are.
const raceBuild = true
