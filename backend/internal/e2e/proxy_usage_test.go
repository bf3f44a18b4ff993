package e2e

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plugboard/plugboard/backend/internal/server"
	"github.com/plugboard/plugboard/backend/internal/store"
)

// opMsg is the opcode of the MongoDB wire protocol's OP_MSG message, the
// one every command of a current driver travels in.
const opMsg = 2013

// proxyWire is a TCP relay between Plugboard and its database that counts
// the commands going through it by name and collection, such as
// "update connections". Monitoring commands (hello, ping) are left out.
type proxyWire struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	counts map[string]int
}

// proxyNewWire relays a listener on a free loopback port to target
// (host:port) until the test ends.
func proxyNewWire(t testing.TB, target string) *proxyWire {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := &proxyWire{ln: ln, target: target, counts: map[string]int{}}
	t.Cleanup(func() { ln.Close() })
	go w.accept()
	return w
}

func (w *proxyWire) accept() {
	for {
		c, err := w.ln.Accept()
		if err != nil {
			return
		}
		go w.relay(c)
	}
}

// relay passes one client connection on, reading the client's side
// message by message.
func (w *proxyWire) relay(c net.Conn) {
	defer c.Close()
	s, err := net.Dial("tcp", w.target)
	if err != nil {
		return
	}
	defer s.Close()
	go func() {
		_, _ = io.Copy(c, s)
		c.Close()
	}()
	r := bufio.NewReader(c)
	for {
		msg, err := proxyReadMessage(r)
		if err != nil {
			return
		}
		w.count(msg)
		if _, err := s.Write(msg); err != nil {
			return
		}
	}
}

// proxyReadMessage reads one wire protocol message: a little-endian
// int32 length that counts itself, then the rest.
func proxyReadMessage(r io.Reader) ([]byte, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint32(head[:])
	if n < 16 || n > 48<<20 {
		return nil, errors.New("bad message length")
	}
	msg := make([]byte, n)
	copy(msg, head[:])
	_, err := io.ReadFull(r, msg[4:])
	return msg, err
}

// count records the command of an OP_MSG: after the 16-byte header and
// the flag bits, a body section (kind 0) holds the command document,
// whose first field names the command and, as its value, the collection.
func (w *proxyWire) count(msg []byte) {
	if len(msg) < 21 || binary.LittleEndian.Uint32(msg[12:16]) != opMsg || msg[20] != 0 {
		return
	}
	doc := bson.Raw(msg[21:])
	first, err := doc.IndexErr(0)
	if err != nil {
		return
	}
	name := first.Key()
	switch name {
	case "hello", "isMaster", "ismaster", "ping", "endSessions", "buildInfo", "getParameter":
		return
	}
	if coll, ok := first.Value().StringValueOK(); ok {
		name += " " + coll
	}
	w.mu.Lock()
	w.counts[name]++
	w.mu.Unlock()
}

// take returns the counts since the last take and starts again.
func (w *proxyWire) take() map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.counts
	w.counts = map[string]int{}
	return out
}

// proxyFormat lists counts in a stable order.
func proxyFormat(counts map[string]int) string {
	s := ""
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		s += fmt.Sprintf("%s=%d ", k, counts[k])
	}
	return s
}

// TestProxyUsage proves that proxied requests cost no database round
// trip once the key and the connection are known, and that last_used_at
// is written once, when the usage is flushed (here: at shutdown), not on
// every request.
func TestProxyUsage(t *testing.T) {
	const requests = 100
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := store.StartEmbedded(t.Context(), dir, log)
	if err != nil {
		t.Fatalf("start database: %v", err)
	}
	t.Cleanup(db.Stop)
	dbURL, err := url.Parse(db.URI())
	if err != nil {
		t.Fatal(err)
	}
	wire := proxyNewWire(t, dbURL.Host)
	cfg := server.Config{DataDir: dir, MongoURI: "mongodb://" + wire.ln.Addr().String() + "/"}

	pb := proxyStart(t, cfg)
	up := proxyNewUpstream(t, nil)
	c := proxyConnected(t, pb, proxyAPIKeyService("used", up.URL), "used", nil, map[string]string{"X-Api-Key": "k"})
	cold := proxyConnected(t, pb, proxyAPIKeyService("cold", up.URL), "cold", nil, map[string]string{"X-Api-Key": "k"})
	if got := pb.connection(t, c.ID).LastUsedAt; !got.IsZero() {
		t.Fatalf("before any use got last_used_at %v, want none", got)
	}
	// The first request reads the key and the connection.
	pb.call(t, http.MethodGet, "used", "warm", nil, nil)
	wire.take()

	start := time.Now().UTC().Truncate(time.Millisecond)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range requests / 4 {
				if a := pb.call(t, http.MethodGet, "used", "x", nil, nil); a.status != http.StatusOK {
					t.Errorf("got status %d, want 200", a.status)
				}
			}
		})
	}
	wg.Wait()
	end := time.Now().UTC()

	t.Run("no database round trip per request", func(t *testing.T) {
		if got := wire.take(); len(got) != 0 {
			t.Errorf("%d proxied requests sent the database: %s; want nothing", requests, proxyFormat(got))
		}
	})
	t.Run("last_used_at not written at once", func(t *testing.T) {
		if got := pb.connection(t, c.ID).LastUsedAt; !got.IsZero() {
			t.Errorf("got last_used_at %v right after use, want it written later", got)
		}
		wire.take()
	})
	t.Run("callers missing the cache together share one load", func(t *testing.T) {
		statuses, _ := proxyBurst(t, pb, "cold", 50)
		for i, s := range statuses {
			if s != http.StatusOK {
				t.Fatalf("request %d: got status %d, want 200", i, s)
			}
		}
		got := wire.take()
		want := map[string]int{"find connections": 1, "find services": 1, "find credentials": 1}
		if proxyFormat(got) != proxyFormat(want) {
			t.Errorf("50 callers on a connection not yet cached sent the database: %s; want %s",
				proxyFormat(got), proxyFormat(want))
		}
	})
	t.Run("callers with a key not yet cached share one check", func(t *testing.T) {
		_, key, err := pb.srv.CreateOwner(t.Context(), "second")
		if err != nil {
			t.Fatal(err)
		}
		wire.take()
		other := &testPlugboard{t: t, srv: pb.srv, key: key, http: pb.http}
		// The second owner has no connection of that name: every caller
		// gets the same answer, from one check of the key and one read.
		statuses, _ := proxyBurst(t, other, "used", 50)
		for i, s := range statuses {
			if s != http.StatusNotFound {
				t.Fatalf("request %d: got status %d, want 404", i, s)
			}
		}
		got := wire.take()
		// The key is checked once and then cached. A connection that does
		// not exist is not cached: callers arriving together share one
		// read, but one arriving after that read finished makes its own,
		// so only an upper bound holds for those. Each such read looks
		// for the name among the owner's connections, then among those
		// shared with them.
		finds, shares := got["find connections"], got["find shares"]
		delete(got, "find connections")
		delete(got, "find shares")
		// The check reads the key's user too, whose role and state it needs.
		want := map[string]int{"find api_keys": 1, "find owners": 1, "update api_keys": 1}
		if proxyFormat(got) != proxyFormat(want) || finds < 1 || finds >= 50 || shares != finds {
			t.Errorf("50 callers with a new key sent the database: %s, find connections=%d and find shares=%d; "+
				"want %s and 1 to 49 reads of each",
				proxyFormat(got), finds, shares, proxyFormat(want))
		}
	})
	t.Run("one write per connection at shutdown", func(t *testing.T) {
		pb.stop()
		got := wire.take()
		if got["update connections"] != 2 || len(got) != 1 {
			t.Errorf("shutdown sent the database: %s; want update connections=2", proxyFormat(got))
		}
	})
	t.Run("last_used_at after restart", func(t *testing.T) {
		cfg.APIKey = pb.key
		again := proxyStart(t, cfg)
		got := again.connection(t, c.ID).LastUsedAt
		if got.Before(start) || got.After(end) {
			t.Errorf("got last_used_at %v, want the last use, between %v and %v", got, start, end)
		}
		if got := again.connection(t, cold.ID).LastUsedAt; !got.After(end) {
			t.Errorf("got last_used_at %v for the second connection, want its use after %v", got, end)
		}
	})
}
