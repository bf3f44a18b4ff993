package ui

// loadStatus is where loading a page's data stands.
type loadStatus int

const (
	loading loadStatus = iota
	loaded
	loadFailed
)
