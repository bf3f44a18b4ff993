package server

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/plugboard/plugboard/backend/internal/catalog"
	"github.com/plugboard/plugboard/backend/internal/lifecycle"
)

// Reseal re-seals every stored secret under the primary key of cfg (the
// first of PLUGBOARD_SECRET_KEY), opening each with whichever configured
// key sealed it. Run it after making a new key primary; afterwards the old
// keys can be removed. With the embedded database the server must be
// stopped first, since both would open the same files; with MongoDB it may
// run while servers do.
func Reseal(ctx context.Context, cfg Config, log *slog.Logger) (lifecycle.ResealReport, error) {
	if err := cfg.normalize(); err != nil {
		return lifecycle.ResealReport{}, err
	}
	s := &Server{cfg: cfg, log: log}
	defer s.closeStore(context.WithoutCancel(ctx))

	keys, err := loadKeys(cfg)
	if err != nil {
		return lifecycle.ResealReport{}, err
	}
	if err := s.openStore(ctx); err != nil {
		return lifecycle.ResealReport{}, err
	}
	if err := checkKeys(ctx, s.store, keys); err != nil {
		return lifecycle.ResealReport{}, err
	}
	cat, err := catalog.Load(cfg.CatalogDir)
	if err != nil {
		return lifecycle.ResealReport{}, fmt.Errorf("load catalog: %w", err)
	}
	m := lifecycle.New(lifecycle.Config{Store: s.store, Keys: keys, Catalog: cat, Log: log})
	return m.Reseal(ctx)
}
