// Package shared holds the types and validation rules that the Plugboard
// server and its WebAssembly app both use: services, connections, their
// parameters and events, and the RFC 9457 problem document that every API
// error is reported with.
//
// It compiles for both the server and js/wasm, so it imports nothing that
// only one of them has (no Fiber, no MongoDB driver, no syscall/js).
package shared
