// Package seal encrypts the secrets Plugboard keeps at rest (OAuth client
// secrets, tokens, passwords, API keys) with AES-256-GCM, and keeps
// secrets held in memory from being printed or logged by accident.
//
// A [Keyring] holds one primary key, which seals, and any number of old
// keys, which still open values sealed before a rotation. Each sealed
// value records the id of its key, and is bound to its record through
// additional authenticated data, so a value copied into another record
// does not open.
//
// Keys come from the PLUGBOARD_SECRET_KEY setting ([ParseKeys]) or from a
// key file the server creates on first start ([LoadOrCreateKeyFile]).
package seal
