package lifecycle

import (
	"context"
	"errors"
	"fmt"

	"github.com/plugboard/plugboard/backend/internal/store"
)

// ResealReport counts what Reseal did.
type ResealReport struct {
	Services    int
	Credentials int
	States      int
	// Skipped counts values that changed while Reseal ran; the writer
	// sealed them under the primary key already, or a second run will.
	Skipped int
}

// Reseal opens every sealed value with whichever configured key sealed
// it and seals it again under the primary key, so that old keys can then
// be removed from the configuration. Values already under the primary key
// are left alone. Each write is conditional on the record not having
// changed since it was read, so a refresh running at the same time is
// never undone.
func (m *Manager) Reseal(ctx context.Context) (ResealReport, error) {
	var rep ResealReport
	err := m.store.EachService(ctx, func(r store.ServiceRecord) error {
		if r.ClientSecret == nil || !m.keys.NeedsReseal(*r.ClientSecret) {
			return nil
		}
		aad := secretAAD(r.OwnerID, r.ServiceID)
		secret, err := m.keys.OpenString(*r.ClientSecret, aad)
		if err != nil {
			return fmt.Errorf("open client secret of %s: %w", r.ServiceID, err)
		}
		sealed, err := m.keys.SealString(secret, aad)
		if err != nil {
			return err
		}
		return countOrSkip(m.store.ResealServiceSecret(ctx, r, sealed), &rep.Services, &rep.Skipped)
	})
	if err != nil {
		return rep, err
	}

	err = m.store.EachCredential(ctx, func(c store.Credential) error {
		if !m.keys.NeedsReseal(c.Sealed) {
			return nil
		}
		aad := credentialAAD(c.OwnerID, c.ConnectionID, c.Kind)
		plain, err := m.keys.Open(c.Sealed, []byte(aad))
		if err != nil {
			return fmt.Errorf("open credential of %s: %w", c.ConnectionID, err)
		}
		c.Sealed, err = m.keys.Seal(plain, []byte(aad))
		if err != nil {
			return err
		}
		c.UpdatedAt = m.clock()
		_, err = m.store.SwapCredential(ctx, c)
		return countOrSkip(err, &rep.Credentials, &rep.Skipped)
	})
	if err != nil {
		return rep, err
	}

	err = m.store.EachState(ctx, func(st store.AuthState) error {
		if !m.keys.NeedsReseal(st.Verifier) {
			return nil
		}
		v, err := m.keys.OpenString(st.Verifier, stateAAD(st.Hash))
		if err != nil {
			return fmt.Errorf("open flow state: %w", err)
		}
		sealed, err := m.keys.SealString(v, stateAAD(st.Hash))
		if err != nil {
			return err
		}
		return countOrSkip(m.store.ResealState(ctx, st.Hash, sealed), &rep.States, &rep.Skipped)
	})
	return rep, err
}

func countOrSkip(err error, done, skipped *int) error {
	switch {
	case err == nil:
		*done++
	case errors.Is(err, store.ErrConflict):
		*skipped++
	default:
		return err
	}
	return nil
}
