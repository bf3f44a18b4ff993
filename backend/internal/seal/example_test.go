package seal_test

import (
	"fmt"

	"github.com/plugboard/plugboard/backend/internal/seal"
)

// The configuration lists the new primary key first and the old key
// after it. Values sealed before the rotation still open, and report that
// they should be sealed again under the new key.
func ExampleKeyring_NeedsReseal() {
	oldKeys, err := seal.ParseKeys("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA")
	if err != nil {
		panic(err)
	}
	before := seal.NewKeyring(oldKeys[0])
	stored, err := before.SealString("refresh-token", "connection:7:tokens")
	if err != nil {
		panic(err)
	}

	keys, err := seal.ParseKeys("ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=," +
		"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA")
	if err != nil {
		panic(err)
	}
	after := seal.NewKeyring(keys[0], keys[1:]...)
	token, err := after.OpenString(stored, "connection:7:tokens")
	if err != nil {
		panic(err)
	}
	fmt.Println(token, after.NeedsReseal(stored))

	resealed, err := after.SealString(token, "connection:7:tokens")
	if err != nil {
		panic(err)
	}
	fmt.Println(after.NeedsReseal(resealed))
	// Output:
	// refresh-token true
	// false
}
