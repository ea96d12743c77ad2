// Package generator is the load engine: it runs a scenario's virtual users in a
// closed model (users, spawn rate, think time), an open model (arrivals per
// second, latency from the intended start) or stages, executes their HTTP
// steps, and reports every measurement to a Recorder.
package generator
