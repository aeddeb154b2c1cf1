package simulator

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/credentials"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
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
	bindings map[platforms.AppType]*storedBinding
	bucket   bucket
}

func newAccount(domainID string) *account {
	return &account{domainID: domainID, bindings: map[platforms.AppType]*storedBinding{}}
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
	t, ok := s.key(accessKey)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoTenant, accessKey)
	}
	return t.account, nil
}

// key looks up a declared or an issued key. It must be called with s.mu held.
func (s *Simulator) key(accessKey string) (*tenant, bool) {
	if t, ok := s.tenants[accessKey]; ok {
		return t, true
	}
	t, ok := s.issued[accessKey]
	return t, ok
}

// Tenants lists the declared tenants by access key (IssuedCredentials lists the others).
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

// IssuedCredential is a temporary key that IAM or the metadata service issued.
type IssuedCredential struct {
	Tenant
	// Method says how it was issued: assume_role, token (for an OIDC subject token) or metadata.
	Method   string    `json:"method"`
	IssuedAt time.Time `json:"issued_at"`
}

// MethodMetadata is the Method of the keys the metadata service issues.
const MethodMetadata = "metadata"

// defaultIssuedLifetime is IAM's default duration_seconds.
const defaultIssuedLifetime = 15 * time.Minute

// SetIssuedLifetime caps how long the keys issued from now on live, whatever duration they were
// asked for; zero or less lifts the cap.
func (s *Simulator) SetIssuedLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.issuedLifetime = max(d, 0)
}

// IssuedCredentials lists the keys IAM and the metadata service issued, oldest first.
func (s *Simulator) IssuedCredentials() []IssuedCredential {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.issuance)
}

// issue makes a temporary key in domainID's account that lives for lifetime, or for the issued
// lifetime when that is shorter. It must be called with s.mu held.
func (s *Simulator) issue(domainID, method string, lifetime time.Duration) IssuedCredential {
	if s.issuedLifetime > 0 {
		lifetime = min(lifetime, s.issuedLifetime)
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	c := IssuedCredential{
		Tenant: Tenant{
			AccessKey: s.random(accessKeyChars, 20), SecretKey: s.random(secretKeyChars, 40), DomainID: domainID,
			SecurityToken: s.random(tokenChars, 160), ExpiresAt: now.Add(lifetime),
		},
		Method: method, IssuedAt: now,
	}
	s.issued[c.AccessKey] = &tenant{Tenant: c.Tenant, account: s.domainAccount(domainID)}
	s.issuance = append(s.issuance, c)
	return c
}

// response is the credential as IAM and the metadata service return it.
func (c IssuedCredential) response() credentials.CredentialResponse {
	return credentials.CredentialResponse{Credential: credentials.Credential{
		Access: c.AccessKey, Secret: c.SecretKey, SecurityToken: c.SecurityToken, ExpiresAt: c.ExpiresAt,
	}}
}

const (
	accessKeyChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	secretKeyChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	tokenChars     = secretKeyChars + "-_"
)

// random draws n characters of alphabet from the simulator's source, so that WithSeed makes the
// issued keys and tokens reproducible. It must be called with s.mu held.
func (s *Simulator) random(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	return string(b)
}
