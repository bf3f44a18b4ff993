package server

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/plugboard/plugboard/backend/internal/seal"
	"github.com/plugboard/plugboard/backend/internal/store"
)

// canaryID names the settings document that proves the keys fit the data.
const canaryID = "seal_canary"

// canaryText is sealed into the canary; it is not a secret.
const canaryText = "plugboard"

type canaryDoc struct {
	ID     string      `bson:"_id"`
	Sealed seal.Sealed `bson:"sealed"`
}

// checkKeys makes sure the keys can open what the database holds. The
// first start seals a known text; every later start must open it, so a
// wrong or missing key stops the server at once instead of letting it
// serve records it cannot read. After a rotation the canary is re-sealed
// under the new primary key.
func checkKeys(ctx context.Context, st *store.Store, keys *seal.Keyring) error {
	var doc canaryDoc
	err := st.GetMeta(ctx, canaryID, &doc)
	if errors.Is(err, store.ErrNotFound) {
		sealed, err := keys.SealString(canaryText, canaryID)
		if err != nil {
			return err
		}
		err = st.InsertMeta(ctx, canaryDoc{ID: canaryID, Sealed: sealed})
		if errors.Is(err, store.ErrDuplicate) {
			// Another instance started at the same moment; check its.
			return checkKeys(ctx, st, keys)
		}
		return err
	}
	if err != nil {
		return err
	}
	text, err := keys.OpenString(doc.Sealed, canaryID)
	if err != nil || text != canaryText {
		return fmt.Errorf("%w: it was sealed with key id %s, and the configured keys are %s; "+
			"set PLUGBOARD_SECRET_KEY to the key used before (or the data folder's secret.key)",
			errWrongKey, doc.Sealed.KeyID, strings.Join(keys.IDs(), ", "))
	}
	if keys.NeedsReseal(doc.Sealed) {
		sealed, err := keys.SealString(canaryText, canaryID)
		if err != nil {
			return err
		}
		return st.ReplaceMeta(ctx, canaryID, canaryDoc{ID: canaryID, Sealed: sealed})
	}
	return nil
}
