package provider

import (
	"sync"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// createsInRun is what the creates of one provider instance did (Terraform configures the
// provider anew for each plan and each apply). COC takes every POST with one idempotency key for
// one create, so two resources that declare the same binding through one provider configuration
// would both get it: the first create to claim a key keeps it, and a second fails. A create that
// COC answers as already made by its key may be the create half of a create_before_destroy
// replacement whose old object holds that very binding: the destroy half must then leave it bound.
type createsInRun struct {
	mu       sync.Mutex
	keys     map[string]bool
	replayed map[platforms.AppType]string
}

// claim reports whether key is new to this run, and claims it.
func (c *createsInRun) claim(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys[key] {
		return false
	}
	if c.keys == nil {
		c.keys = map[string]bool{}
	}
	c.keys[key] = true
	return true
}

// adoptedByReplay records that a create of this run found the binding of identifier already made
// by its key.
func (c *createsInRun) adoptedByReplay(t platforms.AppType, identifier string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.replayed == nil {
		c.replayed = map[platforms.AppType]string{}
	}
	c.replayed[t] = identifier
}

// wasAdoptedByReplay reports whether a create of this run adopted the binding of identifier.
func (c *createsInRun) wasAdoptedByReplay(t platforms.AppType, identifier string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.replayed[t] == identifier
}
