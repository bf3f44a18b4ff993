package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/plugboard/plugboard/backend/internal/httpapi"
	"github.com/plugboard/plugboard/backend/internal/server"
	"github.com/plugboard/plugboard/shared"
)

// proxyTimeout is the outbound time limit of the server TestProxyLimits
// starts, short so that a slow service answers 504 quickly.
const proxyTimeout = 500 * time.Millisecond

// TestProxyLimits checks the answers when the service is slow, cannot be
// reached or may not be reached, and the caps on request bodies.
func TestProxyLimits(t *testing.T) {
	pb := proxyStart(t, server.Config{OutboundTimeout: proxyTimeout})
	up := proxyNewUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(10 * proxyTimeout):
			}
		case "/too-large":
			w.Header().Set("Content-Length", strconv.Itoa(300<<20))
			_, _ = w.Write(make([]byte, 1<<20))
		default:
			proxyJSON(w, r)
		}
	})
	proxyConnected(t, pb, proxyAPIKeyService("lim", up.URL), "lim", nil, map[string]string{"X-Api-Key": "k"})

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := "http://" + closed.Addr().String()
	closed.Close()
	proxyConnected(t, pb, proxyAPIKeyService("gone", gone), "gone", nil, map[string]string{"X-Api-Key": "k"})
	proxyConnected(t, pb, proxyAPIKeyService("private", "http://10.0.0.1/api"), "private",
		nil, map[string]string{"X-Api-Key": "k"})

	tests := []struct {
		name       string
		link, path string
		body       []byte
		wantStatus int
		wantCode   shared.Code
		wantCalls  int
	}{
		{name: "slow service", link: "lim", path: "slow", wantStatus: http.StatusGatewayTimeout,
			wantCode: shared.CodeUpstreamTimeout, wantCalls: 1},
		{name: "unreachable service", link: "gone", path: "x", wantStatus: http.StatusBadGateway,
			wantCode: shared.CodeUpstreamUnreachable},
		{name: "private address", link: "private", path: "x", wantStatus: http.StatusUnprocessableEntity,
			wantCode: shared.CodeDestinationBlocked},
		{name: "body at the cap", link: "lim", path: "upload",
			body: bytes.Repeat([]byte("a"), httpapi.MaxProxyBodyBytes), wantStatus: http.StatusOK, wantCalls: 1},
		{name: "answer declared over the cap", link: "lim", path: "too-large", wantStatus: http.StatusBadGateway,
			wantCode: shared.CodeProviderError, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(up.requests())
			a := pb.call(t, http.MethodPost, tt.link, tt.path, tt.body, nil)
			if a.status != tt.wantStatus {
				t.Fatalf("got status %d (%.300s), want %d", a.status, a.body, tt.wantStatus)
			}
			if tt.wantCode != "" {
				if p := a.problem(t); p.Code != tt.wantCode || p.Detail == "" {
					t.Errorf("got code %q with detail %q, want %q with a detail", p.Code, p.Detail, tt.wantCode)
				}
			}
			seen := up.requests()[before:]
			if len(seen) != tt.wantCalls {
				t.Fatalf("service got %d requests, want %d", len(seen), tt.wantCalls)
			}
			if tt.wantStatus == http.StatusOK && !bytes.Equal(seen[0].Body, tt.body) {
				t.Errorf("service got a body of %d bytes, want %d", len(seen[0].Body), len(tt.body))
			}
		})
	}

	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("body over the cap, chunked=%v", chunked), func(t *testing.T) {
			before := len(up.requests())
			resp := proxyRawPost(t, pb, "/api/v1/connections/lim/proxy/upload", httpapi.MaxProxyBodyBytes+1, chunked)
			if resp.status != http.StatusRequestEntityTooLarge {
				t.Fatalf("got status %d (%.300s), want 413", resp.status, resp.body)
			}
			if p := resp.problem(t); p.Code != shared.CodeBodyTooLarge {
				t.Errorf("got code %q, want %q", p.Code, shared.CodeBodyTooLarge)
			}
			if n := len(up.requests()) - before; n != 0 {
				t.Errorf("service got %d requests, want none", n)
			}
		})
	}
}

// proxyRawPost posts a body of size bytes over a plain TCP connection
// and reads the answer while the body is still being sent. A server that
// refuses a body early closes the connection with the rest unread, which
// resets it; net/http's client then reports its failed write instead of
// the answer that arrived first.
func proxyRawPost(t *testing.T, pb *testPlugboard, path string, size int, chunked bool) apiAnswer {
	t.Helper()
	conn, err := net.Dial("tcp", pb.srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	framing := "Content-Length: " + strconv.Itoa(size)
	if chunked {
		framing = "Transfer-Encoding: chunked"
	}
	head := "POST " + path + " HTTP/1.1\r\nHost: " + pb.srv.Addr() + "\r\nAuthorization: Bearer " + pb.key +
		"\r\nContent-Type: application/octet-stream\r\n" + framing + "\r\n\r\n"
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	go func() {
		chunk := bytes.Repeat([]byte("a"), 64<<10)
		for left := size; left > 0; left -= len(chunk) {
			part := chunk[:min(len(chunk), left)]
			if chunked {
				if _, err := fmt.Fprintf(conn, "%x\r\n%s\r\n", len(part), part); err != nil {
					return
				}
				continue
			}
			if _, err := conn.Write(part); err != nil {
				return
			}
		}
		if chunked {
			_, _ = io.WriteString(conn, "0\r\n\r\n")
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read answer: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return apiAnswer{status: resp.StatusCode, header: resp.Header, body: body}
}
