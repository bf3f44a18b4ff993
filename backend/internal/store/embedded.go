package store

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Embedded is a FerretDB server running inside this process, keeping its
// data in SQLite files. It lets Plugboard run with nothing else installed.
type Embedded struct {
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
}

// StartEmbedded starts FerretDB on a free loopback port with its SQLite
// files in dir/db. FerretDB reports every refused command at WARN (a
// duplicate key, say, which Plugboard expects), so its log goes to logger
// at ERROR and above only.
func StartEmbedded(ctx context.Context, dir string, logger *slog.Logger) (*Embedded, error) {
	dbDir, err := filepath.Abs(filepath.Join(dir, "db"))
	if err != nil {
		return nil, fmt.Errorf("embedded database folder: %w", err)
	}
	if err := os.MkdirAll(dbDir, 0o700); err != nil {
		return nil, fmt.Errorf("create embedded database folder: %w", err)
	}
	quiet := slog.New(levelFilter{Handler: logger.Handler(), min: slog.LevelError})
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + filepath.ToSlash(dbDir) + "/",
		Logger:    quiet,
	})
	if err != nil {
		return nil, fmt.Errorf("start embedded database: %w", err)
	}

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e := &Embedded{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		_ = f.Run(runCtx)
	}()
	// MongoDBURI waits until the listener is up; Run failing first would
	// leave it waiting, hence the time limit.
	ready := make(chan string, 1)
	go func() { ready <- f.MongoDBURI() }()
	select {
	case e.uri = <-ready:
		return e, nil
	case <-e.done:
		return nil, fmt.Errorf("start embedded database: server stopped")
	case <-time.After(15 * time.Second):
		e.Stop()
		return nil, fmt.Errorf("start embedded database: listener not ready")
	}
}

// URI is the address to give the MongoDB driver.
func (e *Embedded) URI() string { return e.uri }

// Stop shuts the server down and waits until its files are closed.
func (e *Embedded) Stop() {
	e.cancel()
	<-e.done
}

// levelFilter drops records below min.
type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (h levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelFilter) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFilter{Handler: h.Handler.WithAttrs(a), min: h.min}
}

func (h levelFilter) WithGroup(n string) slog.Handler {
	return levelFilter{Handler: h.Handler.WithGroup(n), min: h.min}
}
