package demotarget

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// benchWriter is the cheapest ResponseWriter, so that a benchmark measures
// the handler, not httptest.ResponseRecorder.
type benchWriter struct {
	header http.Header
	status int
	body   []byte
}

func newBenchWriter() *benchWriter { return &benchWriter{header: http.Header{}} }

func (w *benchWriter) Header() http.Header { return w.header }

func (w *benchWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *benchWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body = append(w.body, b...)
	return len(b), nil
}

// WriteString spares the []byte conversion, as net/http's writer does.
func (w *benchWriter) WriteString(s string) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body = append(w.body, s...)
	return len(s), nil
}

func (w *benchWriter) reset() {
	clear(w.header)
	w.status = 0
	w.body = w.body[:0]
}

// crudClient replays POST, GET and DELETE of one item with reused requests,
// so that allocs/op are the server's, not the benchmark's.
type crudClient struct {
	handler        http.Handler
	w              *benchWriter
	post, get, del *http.Request
	postBody       *bytes.Reader
	pathBuf        []byte
	body           []byte
}

func newCRUDClient(h http.Handler) *crudClient {
	c := &crudClient{handler: h, w: newBenchWriter()}
	c.body = []byte(`{"Description": "Lorem ipsum dolor sit amet consectetur", "Completed": false}`)
	c.postBody = bytes.NewReader(c.body)
	c.post = httptest.NewRequest("POST", "/todo", io.NopCloser(c.postBody))
	c.post.ContentLength = int64(len(c.body))
	c.get = httptest.NewRequest("GET", "/todo/1", nil)
	c.del = httptest.NewRequest("DELETE", "/todo/1", nil)
	return c
}

// run does one POST, GET and DELETE and reports whether all succeeded.
func (c *crudClient) run() bool {
	c.postBody.Reset(c.body)
	c.w.reset()
	c.handler.ServeHTTP(c.w, c.post)
	if c.w.status != http.StatusCreated {
		return false
	}
	// {"Id":123,... : the id runs from byte 6 to the first comma.
	end := bytes.IndexByte(c.w.body, ',')
	c.pathBuf = append(append(c.pathBuf[:0], "/todo/"...), c.w.body[6:end]...)
	path := string(c.pathBuf)
	c.get.URL.Path, c.del.URL.Path = path, path

	c.w.reset()
	c.handler.ServeHTTP(c.w, c.get)
	if c.w.status != http.StatusOK {
		return false
	}
	c.w.reset()
	c.handler.ServeHTTP(c.w, c.del)
	return c.w.status == http.StatusNoContent
}

// BenchmarkCRUD measures one POST + GET + DELETE through the handler.
func BenchmarkCRUD(b *testing.B) {
	s := newTestServer(b, Options{})
	c := newCRUDClient(s.Handler())
	b.ReportAllocs()
	for b.Loop() {
		if !c.run() {
			b.Fatalf("CRUD failed: status %d, body %q", c.w.status, c.w.body)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(3*b.N), "ns/request")
}

// BenchmarkCRUDParallel is BenchmarkCRUD from GOMAXPROCS goroutines.
func BenchmarkCRUDParallel(b *testing.B) {
	s := newTestServer(b, Options{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		c := newCRUDClient(s.Handler())
		for pb.Next() {
			if !c.run() {
				b.Errorf("CRUD failed: status %d, body %q", c.w.status, c.w.body)
				return
			}
		}
	})
}

// BenchmarkHello measures GET /hello through the handler.
func BenchmarkHello(b *testing.B) {
	s := newTestServer(b, Options{})
	h := s.Handler()
	r := httptest.NewRequest("GET", "/hello", nil)
	w := newBenchWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		h.ServeHTTP(w, r)
	}
	if w.status != http.StatusOK {
		b.Fatalf("status %d", w.status)
	}
}

// BenchmarkHelloParallel is BenchmarkHello from GOMAXPROCS goroutines.
func BenchmarkHelloParallel(b *testing.B) {
	s := newTestServer(b, Options{})
	h := s.Handler()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		r := httptest.NewRequest("GET", "/hello", nil)
		w := newBenchWriter()
		for pb.Next() {
			w.reset()
			h.ServeHTTP(w, r)
		}
	})
}

// BenchmarkHelloKnobs is BenchmarkHello with the random knobs on but
// drawing no delay, to price the locked random source.
func BenchmarkHelloKnobs(b *testing.B) {
	latency, err := ParseLatency("uniform(0s,0s)")
	if err != nil {
		b.Fatal(err)
	}
	s := newTestServer(b, Options{Latency: latency, ErrorRate: 0.000001})
	h := s.Handler()
	r := httptest.NewRequest("GET", "/hello", nil)
	w := newBenchWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		h.ServeHTTP(w, r)
	}
}

// BenchmarkList measures GET /todo of a full page (1000 of 5000 items).
func BenchmarkList(b *testing.B) {
	s := newTestServer(b, Options{})
	for i := range 5000 {
		s.items.create("item "+strconv.Itoa(i), i%2 == 0)
	}
	h := s.Handler()
	r := httptest.NewRequest("GET", "/todo", nil)
	w := newBenchWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		h.ServeHTTP(w, r)
	}
}
