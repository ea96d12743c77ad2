// Package h1 is an HTTP/1.1 client transport for load generation over plain
// HTTP: each exchange runs on the calling goroutine, over a keep-alive
// connection taken from a per-host pool, and is written and parsed by
// net/http's own Request.Write and ReadResponse.
//
// net/http's Transport gives every connection a reader and a writer
// goroutine and hands each request and response between them over
// channels; against a fast target that handoff is a good part of a
// worker's CPU. Here nothing runs in the background: no goroutine per
// connection (an idle connection costs its two buffers), no channel per
// request. What this transport does not do — TLS and HTTP/2, proxies,
// Expect: 100-continue — it hands to a fallback RoundTripper, normally a
// net/http Transport.
//
// Unlike net/http's Transport it never adds Accept-Encoding: gzip on its
// own, so responses arrive as the target sends them to a client that did
// not ask for compression; a scenario that sets Accept-Encoding gets the
// encoded body, as with net/http.
package h1
