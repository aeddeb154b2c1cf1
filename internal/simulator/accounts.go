package simulator

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
)

// Tenant is an access key pair and the account (domain) it belongs to. Keys that name the same
// DomainID act on the same account, and so on the same bindings; a key without a DomainID is
// an account of its own.
type Tenant struct {
	AccessKey string `json:"access_key"`
	SecretKey string `json:"secret_key"`
	DomainID  string `json:"domain_id"`
	// SecurityToken, when set, makes the key pair temporary: requests must carry this token.
	SecurityToken string `json:"security_token,omitempty"`
	// ExpiresAt, when set, is when a temporary key pair stops working.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// Validate reports what a tenant lacks to be served.
func (t Tenant) Validate() error {
	switch {
	case t.AccessKey == "" || t.SecretKey == "":
		return errors.New("a tenant needs access_key and secret_key")
	case !t.ExpiresAt.IsZero() && t.SecurityToken == "":
		return errors.New("only a temporary key (with security_token) can have expires_at")
	}
	return nil
}

// tenant is a key the simulator knows, with the account it acts on.
type tenant struct {
	Tenant
	account *account
}

// account holds what COC keeps per account: its bindings and its rate limit.
type account struct {
	// domainID is empty for the account of a key declared without one.
	domainID string
	bindings map[coc.AppType]*storedBinding
	bucket   bucket
}

func newAccount(domainID string) *account {
	return &account{domainID: domainID, bindings: map[coc.AppType]*storedBinding{}}
}

// AddTenant adds a key, or replaces the secret, token and account of a known one. A key that
// moves to another account leaves its bindings to the account they belong to.
func (s *Simulator) AddTenant(t Tenant) {
	s.mu.Lock()
	defer s.mu.Unlock()
	existing, known := s.tenants[t.AccessKey]
	var a *account
	switch {
	case t.DomainID != "":
		a = s.domainAccount(t.DomainID)
	case known && existing.account.domainID == "":
		a = existing.account
	default:
		a = newAccount("")
	}
	if known {
		existing.Tenant, existing.account = t, a
		return
	}
	s.tenants[t.AccessKey] = &tenant{Tenant: t, account: a}
}

// domainAccount returns the account of a domain, opening it on first use. It must be called with
// s.mu held.
func (s *Simulator) domainAccount(domainID string) *account {
	a, ok := s.domains[domainID]
	if !ok {
		a = newAccount(domainID)
		s.domains[domainID] = a
	}
	return a
}

// forEachAccount visits every account once. It must be called with s.mu held.
func (s *Simulator) forEachAccount(visit func(*account)) {
	for _, a := range s.domains {
		visit(a)
	}
	for _, t := range s.tenants {
		if t.account.domainID == "" {
			visit(t.account)
		}
	}
}

// ErrNoTenant is returned when an admin call names no known tenant.
var ErrNoTenant = errors.New("no such tenant")

// accountOf resolves the account an admin call means by an access key; an empty key means the
// only tenant's, when there is just one. It must be called with s.mu held.
func (s *Simulator) accountOf(accessKey string) (*account, error) {
	if accessKey == "" && len(s.tenants) == 1 {
		for _, t := range s.tenants {
			return t.account, nil
		}
	}
	t, ok := s.tenants[accessKey]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoTenant, accessKey)
	}
	return t.account, nil
}

// Tenants lists the tenants by access key.
func (s *Simulator) Tenants() []Tenant {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Tenant, 0, len(s.tenants))
	for _, t := range s.tenants {
		out = append(out, t.Tenant)
	}
	slices.SortFunc(out, func(a, b Tenant) int { return strings.Compare(a.AccessKey, b.AccessKey) })
	return out
}
