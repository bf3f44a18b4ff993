package outbound

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestResponseBodyLimit(t *testing.T) {
	const limit = 1024
	// sized answers /n with n bytes; /chunked/n without a Content-Length.
	sized := func(w http.ResponseWriter, r *http.Request) {
		path, chunked := strings.CutPrefix(r.URL.Path, "/chunked")
		n, err := strconv.Atoi(strings.TrimPrefix(path, "/"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if !chunked {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		for range n {
			w.Write([]byte{'x'})
		}
	}
	srv := newServer(t, http.HandlerFunc(sized))
	tests := []struct {
		name     string
		max      int64
		path     string
		tooLarge bool
	}{
		{name: "at limit", max: limit, path: "/1024"},
		{name: "over limit", max: limit, path: "/1025", tooLarge: true},
		{name: "chunked at limit", max: limit, path: "/chunked/1024"},
		{name: "chunked over limit", max: limit, path: "/chunked/1025", tooLarge: true},
		{name: "far over limit", max: limit, path: "/chunked/100000", tooLarge: true},
		{name: "empty", max: limit, path: "/0"},
		{name: "no cap", max: -1, path: "/100000"},
		{name: "default cap", max: 0, path: "/100000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Config{Allow: mustAllow(t, "127.0.0.1"), MaxResponseBytes: tt.max})

			resp, body, err := get(t, c, srv.URL+tt.path)

			if tt.tooLarge {
				if !errors.Is(err, ErrResponseTooLarge) {
					t.Fatalf("read error = %v, want ErrResponseTooLarge", err)
				}
				if int64(len(body)) > tt.max {
					t.Errorf("read %d bytes, want at most %d", len(body), tt.max)
				}
				return
			}
			if err != nil {
				t.Fatalf("GET error: %v", err)
			}
			want, _ := strconv.Atoi(strings.TrimPrefix(strings.TrimPrefix(tt.path, "/chunked"), "/"))
			if len(body) != want || resp.StatusCode != http.StatusOK {
				t.Errorf("got %d with %d bytes, want 200 with %d", resp.StatusCode, len(body), want)
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	stall := func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow-body" {
			w.Header().Set("Content-Length", "10")
			w.Write([]byte("x"))
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	srv := newServer(t, http.HandlerFunc(stall))
	t.Cleanup(func() { close(release) })
	allow := mustAllow(t, "127.0.0.1")
	tests := []struct {
		name    string
		timeout time.Duration
		ctxWait time.Duration // a context deadline; 0 for none
		path    string
	}{
		{name: "client timeout before headers", timeout: 100 * time.Millisecond, path: "/slow"},
		{name: "client timeout in body", timeout: 100 * time.Millisecond, path: "/slow-body"},
		{name: "context deadline", ctxWait: 100 * time.Millisecond, path: "/slow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Config{Allow: allow, Timeout: tt.timeout})
			ctx := t.Context()
			if tt.ctxWait > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctxWait)
				defer cancel()
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}

			start := time.Now()
			resp, err := c.Do(req)
			if err == nil {
				_, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}

			if !IsTimeout(err) {
				t.Errorf("IsTimeout(%v) = false, want true", err)
			}
			if IsUnreachable(err) {
				t.Errorf("IsUnreachable(%v) = true, want false", err)
			}
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("took %v, want about 100ms", elapsed)
			}
		})
	}
}
