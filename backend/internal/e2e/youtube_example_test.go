package e2e

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/plugboard/plugboard/shared"
	"github.com/plugboard/plugboard/shared/api"
)

// ytExample is the documented example this test runs as a person would.
const ytExample = "github.com/plugboard/plugboard/shared/api/examples/youtube-comments"

// ytAPIKey is the Google API key the connection holds. The YouTube Data
// API accepts a key= query parameter for public data such as comments.
const ytAPIKey = "AIzaSy-test-key-for-the-example"

// ytUpstream answers GET /youtube/v3/commentThreads as the YouTube Data
// API does, from testdata, and keeps the requests it saw.
type ytUpstream struct {
	mu   sync.Mutex
	seen []*http.Request
}

func (u *ytUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	u.seen = append(u.seen, r.Clone(context.Background()))
	u.mu.Unlock()

	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	switch {
	case r.Method != http.MethodGet || r.URL.Path != "/youtube/v3/commentThreads":
		ytFail(w, http.StatusNotFound, "notFound", "Not Found")
	case r.URL.Query().Get("key") != ytAPIKey:
		ytFail(w, http.StatusBadRequest, "badRequest",
			"API key not valid. Please pass a valid API key.")
	default:
		http.ServeFile(w, r, filepath.Join("testdata", "youtube_comment_threads.json"))
	}
}

// ytFail answers with the error shape of Google's APIs.
func ytFail(w http.ResponseWriter, code int, reason, message string) {
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"error":{"code":%d,"message":%q,"errors":[`+
		`{"message":%q,"domain":"global","reason":%q}]}}`, code, message, message, reason)
}

// requests returns the requests the upstream saw.
func (u *ytUpstream) requests() []*http.Request {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]*http.Request(nil), u.seen...)
}

// ytBuild compiles the example into a temporary folder.
func ytBuild(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("find the go command: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "youtube-comments")
	out, err := exec.Command(goTool, "build", "-o", bin, ytExample).CombinedOutput()
	if err != nil {
		t.Fatalf("build the example: %v\n%s", err, out)
	}
	return bin
}

// ytStart starts Plugboard with a YouTube connection, youtube_main, whose
// service is the local upstream reached with an API key, and a second one,
// youtube_new, not authorized yet. It returns Plugboard's address and the
// owner's Plugboard API key.
func ytStart(t *testing.T, upstream string) (base, key string) {
	t.Helper()
	ctx := context.Background()
	pb := startPlugboard(t, withAllowHosts("127.0.0.1"), withLogTo(os.Stderr, slog.LevelError))
	srv := pb.srv

	c := api.New(srv.URL(), api.WithAPIKey(srv.Boot.APIKey))
	svc, err := c.CreateService(ctx, shared.Service{
		Name:       "YouTube (API key)",
		AuthType:   shared.AuthAPIKey,
		APIBaseURL: upstream + "/youtube/v3",
		Params: []shared.Param{{
			Name: "key", DisplayName: "API key", In: shared.InQuery, Secret: true, Required: true,
		}},
	})
	if err != nil {
		t.Fatalf("create service: %v", err)
	}
	_, err = c.CreateConnection(ctx, shared.ConnectionInput{
		Name: "YouTube (main)", LinkName: "youtube_main", ServiceID: svc.ID,
	})
	if err != nil {
		t.Fatalf("create connection: %v", err)
	}
	if _, err := c.Authorize(ctx, "youtube_main", map[string]string{"key": ytAPIKey}); err != nil {
		t.Fatalf("authorize connection: %v", err)
	}
	_, err = c.CreateConnection(ctx, shared.ConnectionInput{
		Name: "YouTube (new)", LinkName: "youtube_new", ServiceID: svc.ID,
	})
	if err != nil {
		t.Fatalf("create connection: %v", err)
	}
	return srv.URL(), srv.Boot.APIKey
}

// ytWant is what the example prints for the comments in testdata.
const ytWant = `Newest comments on M7lc1UVf-VE:

2026-03-14 09:26 UTC  @ada-lovelace-fan
    Does the player API work with playlists too?

2026-03-13 18:02 UTC  @grace.codes
    Clear explanation.
    The part about events at 3:10 helped most.

2026-03-12 07:45 UTC  @early.bird
    First!
`

func TestYouTubeCommentsExample(t *testing.T) {
	bin := ytBuild(t)
	up := &ytUpstream{}
	upstream := httptest.NewServer(up)
	t.Cleanup(upstream.Close)
	base, key := ytStart(t, upstream.URL)

	tests := []struct {
		name       string
		args       []string
		wantOut    string
		wantErr    string // in the standard error of a failed run
		wantCalled bool
	}{
		{
			name:       "newest comments",
			args:       []string{"-video", "M7lc1UVf-VE"},
			wantOut:    ytWant,
			wantCalled: true,
		},
		{
			name:    "connection not authorized",
			args:    []string{"-video", "M7lc1UVf-VE", "-connection", "youtube_new"},
			wantErr: "plugboard: 409 not_connected",
		},
		{
			name:    "unknown connection",
			args:    []string{"-video", "M7lc1UVf-VE", "-connection", "youtube_other"},
			wantErr: "plugboard: 404 not_found",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(up.requests())
			cmd := exec.Command(bin, tt.args...)
			cmd.Env = append(os.Environ(), "PLUGBOARD_URL="+base, "PLUGBOARD_API_KEY="+key)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()

			if tt.wantErr == "" && err != nil {
				t.Fatalf("run: %v\n%s", err, stderr.String())
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(stderr.String(), tt.wantErr)) {
				t.Fatalf("run: got %v, stderr %q; want a failure saying %q",
					err, stderr.String(), tt.wantErr)
			}
			if got := stdout.String(); got != tt.wantOut {
				t.Errorf("output:\n%s\nwant:\n%s", got, tt.wantOut)
			}

			seen := up.requests()[before:]
			if !tt.wantCalled {
				if len(seen) != 0 {
					t.Errorf("upstream got %d requests, want none", len(seen))
				}
				return
			}
			if len(seen) != 1 {
				t.Fatalf("upstream got %d requests, want 1", len(seen))
			}
			ytCheckRequest(t, seen[0])
		})
	}
}

// ytCheckRequest checks that the upstream got the example's query with
// the connection's key, and nothing of the caller's Plugboard key.
func ytCheckRequest(t *testing.T, r *http.Request) {
	t.Helper()
	want := url.Values{
		"key":        {ytAPIKey},
		"part":       {"snippet"},
		"videoId":    {"M7lc1UVf-VE"},
		"order":      {"time"},
		"maxResults": {"10"},
		"textFormat": {"plainText"},
	}
	got := r.URL.Query()
	for k, v := range want {
		if got.Get(k) != v[0] || len(got[k]) != 1 {
			t.Errorf("upstream query %s: got %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("upstream query: got %v, want only %v", got, want)
	}
	if h := r.Header.Get("Authorization"); h != "" {
		t.Errorf("upstream got Authorization %q, want none: Plugboard keeps the caller's key", h)
	}
}
