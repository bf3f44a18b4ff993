package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plugboard/plugboard/shared"
)

// edgeFiller is a request body of n bytes that is made as it is read, so
// that the client holds none of it.
type edgeFiller struct{ left int64 }

func (f *edgeFiller) Read(p []byte) (int, error) {
	if f.left <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), f.left)
	for i := range p[:n] {
		p[i] = ' '
	}
	f.left -= n
	return int(n), nil
}

// edgeHeapPeak samples the heap while fn runs and returns how far it grew
// above what was in use before.
func edgeHeapPeak(fn func()) (baseMiB, growthMiB uint64) {
	// Two collections empty the sync.Pools, which keep buffers of
	// earlier requests.
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	peak.Store(base)
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var s runtime.MemStats
		for {
			runtime.ReadMemStats(&s)
			if s.HeapAlloc > peak.Load() {
				peak.Store(s.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	fn()
	close(done)
	<-sampled
	return base >> 20, (peak.Load() - base) >> 20
}

// edgePostMany sends n large bodies to path at once, without credentials,
// and returns the statuses that came back. Each body is sent over a plain
// connection while the answer is read: a server that answers before the
// body is in closes the connection, and net/http's client would report
// its failed write instead of the answer.
func edgePostMany(t *testing.T, pb *testPlugboard, path string, n int, size int64, chunked bool) map[string]int {
	t.Helper()
	statuses := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = edgePost(pb, path, size, chunked)
		}()
	}
	wg.Wait()
	// A server may keep the last request of a connection until it closes.
	time.Sleep(100 * time.Millisecond)
	out := map[string]int{}
	for _, s := range statuses {
		out[s]++
	}
	return out
}

// edgePost posts size bytes to path and returns the answer's status, or
// the error that kept it from coming.
func edgePost(pb *testPlugboard, path string, size int64, chunked bool) string {
	conn, err := net.Dial("tcp", pb.srv.Addr())
	if err != nil {
		return err.Error()
	}
	defer conn.Close()
	framing := "Content-Length: " + strconv.FormatInt(size, 10)
	if chunked {
		framing = "Transfer-Encoding: chunked"
	}
	head := "POST " + path + " HTTP/1.1\r\nHost: " + pb.srv.Addr() +
		"\r\nContent-Type: application/json\r\n" + framing + "\r\n\r\n"
	go func() {
		if _, err := io.WriteString(conn, head); err != nil {
			return
		}
		var w io.Writer = conn
		if chunked {
			w = httputil.NewChunkedWriter(conn)
		}
		if _, err := io.Copy(w, &edgeFiller{left: size}); err != nil {
			return
		}
		if chunked {
			_, _ = io.WriteString(conn, "0\r\n\r\n")
		}
	}()
	_ = conn.SetReadDeadline(time.Now().Add(time.Minute))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return "error"
	}
	resp.Body.Close()
	return strconv.Itoa(resp.StatusCode)
}

// TestEdgeBodyMemory sends many large bodies at once, without signing
// in, to a JSON route and to the proxy: the server must not hold them.
// Before a body is read, the route's cap (1 MiB for JSON) and the
// caller's credentials (the proxy's 32 MiB) are checked.
func TestEdgeBodyMemory(t *testing.T) {
	pb := startPlugboard(t)
	const n, size = 20, 30 << 20
	tests := []struct {
		name    string
		path    string
		chunked bool
		want    string
	}{
		{name: "sign-in, length declared", path: "/api/v1/session", want: "413"},
		{name: "sign-in, chunked", path: "/api/v1/session", chunked: true, want: "413"},
		{name: "proxy, length declared", path: "/api/v1/connections/x/proxy/y", want: "401"},
		{name: "proxy, chunked", path: "/api/v1/connections/x/proxy/y", chunked: true, want: "401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got map[string]int
			base, growth := edgeHeapPeak(func() {
				got = edgePostMany(t, pb, tt.path, n, size, tt.chunked)
			})
			t.Logf("%d bodies of %d MiB: heap %d MiB before, grew by at most %d MiB; answers %v",
				n, size>>20, base, growth, got)
			// What is left for the server is its own working memory: a
			// body buffered whole would take 30 MiB each.
			if growth > 128 {
				t.Errorf("heap grew by %d MiB, want at most 128 MiB", growth)
			}
			if got[tt.want] != n {
				t.Errorf("got answers %v, want %d of %s", got, n, tt.want)
			}
		})
	}
}

// edgeRaw sends a raw HTTP/1.1 exchange over one connection and returns
// the answers read from it, at most max of them, until the server closes
// the connection or stops answering.
func edgeRaw(t *testing.T, pb *testPlugboard, raw string, max int) []apiAnswer {
	t.Helper()
	conn, err := net.Dial("tcp", pb.srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	var out []apiAnswer
	for len(out) < max {
		// A second answer, if any, follows the first at once.
		wait := 5 * time.Second
		if len(out) > 0 {
			wait = time.Second
		}
		_ = conn.SetReadDeadline(time.Now().Add(wait))
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			break
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		out = append(out, apiAnswer{status: resp.StatusCode, header: resp.Header, body: body})
	}
	return out
}

// TestEdgeBodyLimits checks the caps on request bodies that no handler
// reads in full: each answers its problem document, and what is left of
// a body on the connection is never read as another request. A second
// answer would come from a request hidden in a body, or from chunk data
// read as a request line.
func TestEdgeBodyLimits(t *testing.T) {
	pb := startPlugboard(t)
	host := pb.srv.Addr()
	smuggled := "GET /api/v1/nothing-smuggled HTTP/1.1\r\nHost: " + host + "\r\n\r\n"
	tests := []struct {
		name       string
		raw        string
		wantStatus int
		wantCode   shared.Code
	}{
		{
			name: "JSON route, declared length over 1 MiB",
			raw: "POST /api/v1/session HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n" +
				"Content-Length: " + strconv.Itoa(1<<20+1) + "\r\n\r\n" + edgeHead,
			wantStatus: http.StatusRequestEntityTooLarge, wantCode: shared.CodeBodyTooLarge,
		},
		{
			name: "JSON route, chunked body over 1 MiB",
			raw: "POST /api/v1/session HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n" +
				"Transfer-Encoding: chunked\r\n\r\n" + edgeChunks(1<<20+1) + "0\r\n\r\n",
			wantStatus: http.StatusRequestEntityTooLarge, wantCode: shared.CodeBodyTooLarge,
		},
		{
			name: "proxy, declared length over 32 MiB",
			raw: "POST /api/v1/connections/x/proxy/y HTTP/1.1\r\nHost: " + host + "\r\n" +
				"Content-Length: " + strconv.Itoa(32<<20+1) + "\r\n\r\n" + edgeHead,
			wantStatus: http.StatusRequestEntityTooLarge, wantCode: shared.CodeBodyTooLarge,
		},
		{
			name: "compressed JSON body",
			raw: "POST /api/v1/session HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n" +
				"Content-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}",
			wantStatus: http.StatusUnsupportedMediaType, wantCode: shared.CodeUnsupportedMedia,
		},
		{
			name: "proxy without credentials, body left unread",
			raw: "POST /api/v1/connections/x/proxy/y HTTP/1.1\r\nHost: " + host + "\r\n" +
				"Content-Length: " + strconv.Itoa(300<<10+len(smuggled)) + "\r\n\r\n" +
				strings.Repeat(" ", 300<<10) + smuggled,
			wantStatus: http.StatusUnauthorized, wantCode: shared.CodeUnauthorized,
		},
		{
			name: "proxy without credentials, chunked body left unread",
			raw: "POST /api/v1/connections/x/proxy/y HTTP/1.1\r\nHost: " + host + "\r\n" +
				"Transfer-Encoding: chunked\r\n\r\n" + edgeChunks(300<<10) + "0\r\n\r\n",
			wantStatus: http.StatusUnauthorized, wantCode: shared.CodeUnauthorized,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := edgeRaw(t, pb, tt.raw, 2)
			if len(got) == 0 {
				t.Fatal("got no answer")
			}
			if got[0].status != tt.wantStatus {
				t.Fatalf("got status %d (%.300s), want %d", got[0].status, got[0].body, tt.wantStatus)
			}
			if p := got[0].problem(t); p.Code != tt.wantCode || p.Detail == "" {
				t.Errorf("got code %q with detail %q, want %q with a detail", p.Code, p.Detail, tt.wantCode)
			}
			if len(got) > 1 {
				t.Errorf("got a second answer (%d %.200s) from the rest of the body, want none",
					got[1].status, got[1].body)
			}
		})
	}
}

// edgeHead is the start of a body whose rest is never sent: more than
// the 8 KiB that fasthttp reads ahead before any handler runs.
var edgeHead = strings.Repeat(" ", 16<<10)

// edgeChunks is a chunked encoding of n spaces, without the last chunk.
func edgeChunks(n int) string {
	var b strings.Builder
	for n > 0 {
		part := min(n, 32<<10)
		fmt.Fprintf(&b, "%x\r\n%s\r\n", part, strings.Repeat(" ", part))
		n -= part
	}
	return b.String()
}
