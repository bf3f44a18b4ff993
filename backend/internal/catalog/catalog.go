// Package catalog holds Plugboard's built-in services: a checked list of
// third-party APIs that people can connect without describing them first.
//
// Each entry is one JSON file, services/<id>.json, holding a
// shared.Service. The files are built into the binary; an operator can add
// entries, or replace built-in ones, with a folder of files in the same
// form. See README.md beside this file for how to write an entry.
package catalog

import (
	"cmp"
	"slices"
	"strings"

	"github.com/plugboard/plugboard/shared"
)

// Catalog is a loaded, checked set of services. It is read-only and safe
// for concurrent use.
type Catalog struct {
	services   []shared.Service // sorted by name
	index      map[string]int
	categories []string
}

func newCatalog(byID map[string]shared.Service) *Catalog {
	c := &Catalog{index: make(map[string]int, len(byID))}
	for _, s := range byID {
		c.services = append(c.services, s)
	}
	slices.SortFunc(c.services, func(a, b shared.Service) int {
		return cmp.Or(
			cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)),
			cmp.Compare(a.ID, b.ID),
		)
	})
	seen := map[string]bool{}
	for i, s := range c.services {
		c.index[s.ID] = i
		for _, cat := range s.Categories {
			if !seen[cat] {
				seen[cat] = true
				c.categories = append(c.categories, cat)
			}
		}
	}
	slices.Sort(c.categories)
	return c
}

// All returns every service, sorted by name. The services are copies:
// changing them does not change the catalog.
func (c *Catalog) All() []shared.Service {
	out := make([]shared.Service, len(c.services))
	for i, s := range c.services {
		out[i] = clone(s)
	}
	return out
}

// Get returns a copy of the service with the given id.
func (c *Catalog) Get(id string) (shared.Service, bool) {
	i, ok := c.index[id]
	if !ok {
		return shared.Service{}, false
	}
	return clone(c.services[i]), true
}

// Len is the number of services in the catalog.
func (c *Catalog) Len() int { return len(c.services) }

// Categories returns the categories the services use, sorted, each once.
func (c *Catalog) Categories() []string { return slices.Clone(c.categories) }
