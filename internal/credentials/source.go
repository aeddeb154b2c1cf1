package credentials

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// Provider is one source of credentials: a fixed key pair (Static), the ECS metadata service
// (Metadata), an OIDC identity token exchanged at IAM (OIDC), or an agency assumed with the
// credentials of another Provider (Agency). Retrieve obtains credentials anew on every call;
// a Cache in front shares them between callers and decides when to renew them.
type Provider interface {
	Retrieve(ctx context.Context) (Value, error)
	// String describes the source for errors and logs, never with a secret.
	String() string
}

// Value is credentials as a Provider obtained them.
type Value struct {
	hwhttp.Credentials
	// Expires is when temporary credentials stop working. It is zero when the provider cannot
	// know: for a key pair, or a security token, that it was given.
	Expires time.Time
}

// Options are what the parts of a chain share.
type Options struct {
	// HTTPClient sends the requests to IAM and the metadata service; nil means a pooled client
	// with a 30-second timeout (and a 2-second connect timeout for the metadata service).
	HTTPClient *http.Client
	// MaxRetries and Backoff govern retries of IAM and metadata calls, as coc.Config's do.
	MaxRetries int
	Backoff    hwhttp.Backoff
	Logger     hwhttp.Logger
	UserAgent  string
	// Now is the clock that signs requests and judges expiry; nil means time.Now.
	Now func() time.Time
	// Secrets receives every secret the chain handles; nil means a set of its own.
	Secrets *Secrets
}

func (o Options) withDefaults() Options {
	if o.Secrets == nil {
		o.Secrets = new(Secrets)
	}
	return o
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Secrets is the set of secret values a chain has handled: secret keys, security tokens,
// identity tokens and subject tokens, including those it obtains long after it was built. Log
// lines and errors are scrubbed of all of them.
type Secrets struct {
	mu     sync.RWMutex
	values []string
}

// Add records values; empty ones and those already known are ignored.
func (s *Secrets) Add(values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		if v != "" && !slices.Contains(s.values, v) {
			s.values = append(s.values, v)
		}
	}
}

// Values returns every value recorded so far.
func (s *Secrets) Values() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.values)
}

// Error is a failure to obtain credentials from one source: which source, what went wrong
// (for example what IAM answered) and what to do. It never holds a secret.
type Error struct {
	Source string
	Err    error
	Fix    string
}

func (e *Error) Error() string {
	msg := e.Source + ": " + e.Err.Error()
	if e.Fix != "" {
		msg += ". " + e.Fix
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// ServiceError is an error answer of IAM or the metadata service, scrubbed of every secret the
// chain knows.
type ServiceError struct {
	Operation  string // for example "POST /v3.0/OS-CREDENTIAL/securitytokens"
	StatusCode int
	Code       string
	Message    string
	RequestID  string
}

func (e *ServiceError) Error() string {
	msg := fmt.Sprintf("%s: HTTP %d", e.Operation, e.StatusCode)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.RequestID != "" {
		msg += fmt.Sprintf(" (request id %s)", e.RequestID)
	}
	return msg
}

// Static is a key pair the provider was given, in its configuration or a KooCLI profile. It
// cannot be renewed.
type Static struct {
	Credentials hwhttp.Credentials
	// Source says where the key pair comes from.
	Source string
}

func (s Static) Retrieve(context.Context) (Value, error) {
	return Value{Credentials: s.Credentials}, nil
}
func (s Static) String() string { return s.Source }
