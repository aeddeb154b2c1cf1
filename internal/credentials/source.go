package credentials

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// Every source of credentials is a hwhttp.CredentialsProvider: a fixed key pair (Static), the
// ECS metadata service (Metadata), an OIDC identity token exchanged at IAM (OIDC), or an agency
// assumed with the credentials of another source (Agency). Retrieve obtains credentials anew on
// every call, with their expiry when they have one; a Cache in front shares them between callers
// and decides when to renew them. Each source also says what it is (String), for errors and logs.

// describe names a source for errors and logs by its String method. A source without one is
// named by its type: printed as a value, it might show a secret.
func describe(p hwhttp.CredentialsProvider) string {
	if s, ok := p.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%T", p)
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
	// Secrets is the registry every secret the chain handles is added to, before anything can
	// log or repeat it; nil means a registry of its own.
	Secrets *hwhttp.Secrets
}

func (o Options) withDefaults() Options {
	if o.Secrets == nil {
		o.Secrets = new(hwhttp.Secrets)
	}
	return o
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
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

func (s Static) Retrieve(context.Context) (hwhttp.Credentials, error) {
	return s.Credentials, nil
}
func (s Static) String() string { return s.Source }
