package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/plugboard/plugboard/backend/internal/server"
	"github.com/plugboard/plugboard/shared"
)

// startOptions is how startPlugboard starts a server.
type startOptions struct {
	cfg      server.Config
	logTo    io.Writer  // where the log goes; nil: discarded
	logLevel slog.Level // the lowest level logged
	keepLogs bool       // log into testPlugboard.logs
}

// startOption changes how startPlugboard starts a server.
type startOption func(*startOptions)

// withConfig starts from cfg (a data folder, a secret key, a MongoDB
// URI, ...); startPlugboard fills the address, the data folder and the
// allow list when it leaves them empty. Options after it change it
// further.
func withConfig(cfg server.Config) startOption {
	return func(o *startOptions) { o.cfg = cfg }
}

// withOutboundTimeout bounds each request Plugboard sends to a service.
func withOutboundTimeout(d time.Duration) startOption {
	return func(o *startOptions) { o.cfg.OutboundTimeout = d }
}

// withAllowHosts sets the private hosts outbound requests may reach,
// instead of loopback.
func withAllowHosts(hosts string) startOption {
	return func(o *startOptions) { o.cfg.AllowHosts = hosts }
}

// withLogs keeps the log from level up in testPlugboard.logs; it is
// printed when the test fails.
func withLogs(level slog.Level) startOption {
	return func(o *startOptions) { o.keepLogs, o.logLevel = true, level }
}

// withLogTo sends the log from level up to w.
func withLogTo(w io.Writer, level slog.Level) startOption {
	return func(o *startOptions) { o.logTo, o.logLevel = w, level }
}

// testPlugboard is a running Plugboard and an API client for its first
// owner.
type testPlugboard struct {
	t       testing.TB
	srv     *server.Server
	cfg     server.Config
	key     string
	dataDir string
	// logs holds the log when started withLogs; nil otherwise.
	logs *logBuffer
	http *http.Client
	once sync.Once
}

// startPlugboard starts Plugboard on a free loopback port with an
// embedded database in a fresh folder, and outbound requests allowed to
// loopback, unless the options say otherwise. Its log is discarded
// unless an option keeps it. The server is shut down when the test ends.
func startPlugboard(t testing.TB, opts ...startOption) *testPlugboard {
	t.Helper()
	var o startOptions
	for _, opt := range opts {
		opt(&o)
	}
	cfg := o.cfg
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.AllowHosts == "" {
		cfg.AllowHosts = "127.0.0.1,localhost"
	}
	var logs *logBuffer
	logTo := o.logTo
	if o.keepLogs {
		logs = &logBuffer{}
		logTo = logs
	}
	var log *slog.Logger
	if logTo == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	} else {
		log = slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: o.logLevel}))
	}
	srv, err := server.Start(t.Context(), cfg, log, io.Discard)
	if err != nil {
		t.Fatalf("start plugboard: %v", err)
	}
	key := srv.Boot.APIKey
	if key == "" {
		key = cfg.APIKey
	}
	pb := &testPlugboard{
		t: t, srv: srv, cfg: cfg, key: key, dataDir: cfg.DataDir, logs: logs,
		http: &http.Client{
			Transport: &http.Transport{MaxIdleConnsPerHost: 64},
			// The proxy passes redirects through; the tests look at them.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	t.Cleanup(pb.stop)
	return pb
}

// stop shuts the server down, which writes the usage it gathered, and
// prints the kept log if the test failed; later calls do nothing.
func (pb *testPlugboard) stop() {
	pb.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := pb.srv.Shutdown(ctx); err != nil {
			pb.t.Errorf("shut down plugboard: %v", err)
		}
		pb.http.CloseIdleConnections()
		if pb.logs != nil && pb.t.Failed() {
			pb.t.Logf("plugboard log:\n%s", pb.logs.Bytes())
		}
	})
}

// apiAnswer is one answer of Plugboard.
type apiAnswer struct {
	status int
	header http.Header
	body   []byte
}

// problem decodes the answer as a problem document.
func (a apiAnswer) problem(t testing.TB) shared.Problem {
	t.Helper()
	var p shared.Problem
	if err := json.Unmarshal(a.body, &p); err != nil {
		t.Fatalf("decode problem document %q: %v", a.body, err)
	}
	return p
}

// send sends req with the owner's API key, unless it carries another
// Authorization, and reads the whole answer.
func (pb *testPlugboard) send(t testing.TB, req *http.Request) apiAnswer {
	t.Helper()
	if req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+pb.key)
	}
	resp, err := pb.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read answer of %s %s: %v", req.Method, req.URL, err)
	}
	return apiAnswer{status: resp.StatusCode, header: resp.Header, body: body}
}

// request calls the JSON API with the owner's API key and returns the
// answer, whatever its status; in, when not nil, is sent as the JSON body.
func (pb *testPlugboard) request(t testing.TB, method, path string, in any) apiAnswer {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatalf("encode body: %v", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, pb.srv.URL()+path, body)
	if err != nil {
		t.Fatalf("build request: %v", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return pb.send(t, req)
}

// mustCall is request that fails the test unless the status is want, and
// decodes the body into out when out is not nil.
func (pb *testPlugboard) mustCall(t testing.TB, method, path string, in any, want int, out any) apiAnswer {
	t.Helper()
	a := pb.request(t, method, path, in)
	if a.status != want {
		t.Fatalf("%s %s: got status %d (%s), want %d", method, path, a.status, a.body, want)
	}
	if out != nil {
		if err := json.Unmarshal(a.body, out); err != nil {
			t.Fatalf("decode answer of %s %s: %v", method, path, err)
		}
	}
	return a
}

// addService defines a custom service.
func (pb *testPlugboard) addService(t testing.TB, svc shared.Service) shared.Service {
	t.Helper()
	var out shared.Service
	pb.mustCall(t, http.MethodPost, "/api/v1/services", svc, http.StatusCreated, &out)
	return out
}

// addConnection adds a pending connection.
func (pb *testPlugboard) addConnection(t testing.TB, in shared.ConnectionInput) shared.Connection {
	t.Helper()
	var out shared.Connection
	pb.mustCall(t, http.MethodPost, "/api/v1/connections", in, http.StatusCreated, &out)
	return out
}

// connection reads a connection, by id or link name.
func (pb *testPlugboard) connection(t testing.TB, ref string) shared.Connection {
	t.Helper()
	var out shared.Connection
	pb.mustCall(t, http.MethodGet, "/api/v1/connections/"+ref, nil, http.StatusOK, &out)
	return out
}

// mustAuthorize authorizes a Basic Auth or API-key connection with its
// parameter values and returns the connection the answer holds.
func (pb *testPlugboard) mustAuthorize(t testing.TB, ref string, params map[string]string) shared.Connection {
	t.Helper()
	var out struct {
		Connection shared.Connection `json:"connection"`
	}
	pb.mustCall(t, http.MethodPost, "/api/v1/connections/"+ref+"/authorize",
		map[string]any{"params": params}, http.StatusOK, &out)
	return out.Connection
}

// logBuffer is a log destination that goroutines share.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Bytes returns a copy of what was written.
func (b *logBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// String returns what was written.
func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// dataFiles returns the contents of every file under dir, by path, for
// searching them for secrets.
func dataFiles(dir string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		out[path] = b
		return err
	})
	return out, err
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// moduleRoot is the directory of the go.mod above the working directory.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}
