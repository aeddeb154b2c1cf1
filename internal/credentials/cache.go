package credentials

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// maxRenewalWindow is how long before expiry temporary credentials are renewed at the latest;
// short-lived ones are renewed once half their lifetime has passed.
const maxRenewalWindow = 5 * time.Minute

// A renewal that fails while the current credentials are still good for more than expiryMargin
// keeps them, and is tried again after renewalRetryDelay: an IAM or metadata hiccup must not
// fail requests that could still be signed, nor make every request wait for a failing renewal.
const (
	expiryMargin      = 30 * time.Second
	renewalRetryDelay = 30 * time.Second
)

// Cache is what the COC client asks for credentials (a hwhttp.CredentialsRenewer). It asks its
// source on first need, not before, shares the credentials between every caller, renews them
// when less than min(5 minutes, half their lifetime) remains (keeping them while a renewal
// fails and they are still good), and lets concurrent callers that find none wait for a single
// resolution rather than start one each.
type Cache struct {
	provider hwhttp.CredentialsProvider
	opts     Options

	mu        sync.Mutex
	current   *cached     // nil before the first resolution and after Expire
	resolving *resolution // the resolution under way, if any
	// refused is set once COC refused credentials that cannot be renewed: every later call fails
	// at once rather than send a request bound to fail.
	refused error
}

type cached struct {
	value hwhttp.Credentials
	// renewAt is when the credentials are due for renewal; zero for never.
	renewAt time.Time
}

func (c *cached) fresh(now time.Time) bool { return c.renewAt.IsZero() || now.Before(c.renewAt) }

type resolution struct {
	done  chan struct{}
	value hwhttp.Credentials
	err   error
}

var _ hwhttp.CredentialsRenewer = (*Cache)(nil)

// NewCache puts a cache in front of the source p. It makes no call.
func NewCache(p hwhttp.CredentialsProvider, o Options) *Cache {
	return &Cache{provider: p, opts: o.withDefaults()}
}

// Retrieve returns the cached credentials, or waits for the resolution that renews them. The
// resolution outlives a caller that gives up, so that the others still get its result.
func (c *Cache) Retrieve(ctx context.Context) (hwhttp.Credentials, error) {
	c.mu.Lock()
	switch {
	case c.refused != nil:
		c.mu.Unlock()
		return hwhttp.Credentials{}, c.refused
	case c.current != nil && c.current.fresh(c.opts.now()):
		creds := c.current.value
		c.mu.Unlock()
		return creds, nil
	}
	r := c.resolving
	if r == nil {
		r = &resolution{done: make(chan struct{})}
		c.resolving = r
		go c.resolve(context.WithoutCancel(ctx), r)
	}
	c.mu.Unlock()
	select {
	case <-r.done:
		return r.value, r.err
	case <-ctx.Done():
		return hwhttp.Credentials{}, ctx.Err()
	}
}

func (c *Cache) resolve(ctx context.Context, r *resolution) {
	defer close(r.done)
	obtained, err := c.obtain(ctx)
	c.mu.Lock()
	c.resolving = nil
	var kept *cached
	switch {
	case err == nil:
		r.value, c.current = obtained.value, obtained
	case c.keepCurrent():
		kept = c.current
		r.value = kept.value
	default:
		r.err = err // not kept: the next caller tries again
	}
	c.mu.Unlock()
	if kept != nil && c.opts.Logger != nil {
		c.opts.Logger.Warn(ctx, "Renewing COC credentials failed; the current ones are used until the next try", map[string]any{
			"source": c.String(), "error": err.Error(), "expires_at": kept.value.Expires.UTC().Format(time.RFC3339),
			"next_try": kept.renewAt.UTC().Format(time.RFC3339),
		})
	}
	if err == nil && c.opts.Logger != nil {
		fields := map[string]any{"source": c.String()}
		if v := obtained.value; v.CanExpire() {
			fields["expires_at"] = v.Expires.UTC().Format(time.RFC3339)
			fields["renew_at"] = obtained.renewAt.UTC().Format(time.RFC3339)
		}
		c.opts.Logger.Debug(ctx, "Obtained COC credentials", fields)
	}
}

// keepCurrent reports whether the current credentials, due for renewal, are still good enough
// to use after a renewal failed; if so it moves their next renewal to a little later. It must
// be called with c.mu held.
func (c *Cache) keepCurrent() bool {
	if c.current == nil || !c.current.value.CanExpire() {
		return false
	}
	now, usableUntil := c.opts.now(), c.current.value.Expires.Add(-expiryMargin)
	if !now.Before(usableUntil) {
		return false
	}
	c.current.renewAt = now.Add(renewalRetryDelay)
	if c.current.renewAt.After(usableUntil) {
		c.current.renewAt = usableUntil
	}
	return true
}

// obtain asks the provider for credentials and records their secrets before anything can log them.
func (c *Cache) obtain(ctx context.Context) (*cached, error) {
	v, err := c.provider.Retrieve(ctx)
	if err != nil {
		return nil, err
	}
	c.opts.Secrets.Add(v.SecretKey, v.SecurityToken)
	now := c.opts.now()
	if v.CanExpire() && !v.Expires.After(now) {
		return nil, fmt.Errorf("%s: the credentials obtained expire at %s, which this machine's clock (%s) says has passed: check the clock",
			c, v.Expires.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return &cached{value: v, renewAt: renewAt(now, v.Expires)}, nil
}

// renewAt is when credentials obtained at now, expiring at expires, are due for renewal.
func renewAt(now, expires time.Time) time.Time {
	if expires.IsZero() {
		return time.Time{}
	}
	return expires.Add(-min(maxRenewalWindow, expires.Sub(now)/2))
}

// Expire drops creds, which COC refused as expired, so that the next Retrieve renews them.
// Credentials the provider was given (without an expiry it knows) cannot be renewed: that is an
// error, saying so, and every later Retrieve returns it.
func (c *Cache) Expire(creds hwhttp.Credentials) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.refused != nil {
		return c.refused
	}
	if c.current == nil || !sameKey(c.current.value, creds) {
		return nil // already renewed, or being renewed, for another caller
	}
	if !c.current.value.CanExpire() {
		c.refused = fmt.Errorf("COC refused the security token of %s as expired, and the provider cannot renew credentials it was given. "+
			"Set current ones, or let the provider obtain temporary credentials it renews itself: assume_role, assume_role_with_oidc "+
			"or the ECS metadata service", c)
		return c.refused
	}
	c.current = nil
	return nil
}

// String describes the source of the credentials.
func (c *Cache) String() string { return describe(c.provider) }

// sameKey reports whether two credentials are one key pair, whatever their expiry's clock reading.
func sameKey(a, b hwhttp.Credentials) bool {
	return a.AccessKey == b.AccessKey && a.SecretKey == b.SecretKey && a.SecurityToken == b.SecurityToken
}
