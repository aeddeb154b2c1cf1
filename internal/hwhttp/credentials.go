package hwhttp

import (
	"context"
	"errors"
	"time"
)

// Credentials is an access key pair, optionally temporary (with a security token): the one
// credential value of this project, which every source obtains and every request is signed with
// (aws-sdk-go-v2's aws.Credentials is the model).
type Credentials struct {
	AccessKey     string
	SecretKey     string
	SecurityToken string
	// Expires is when temporary credentials stop working. It is zero when whoever obtained them
	// cannot know: for a key pair, or a security token, that the provider was given.
	Expires time.Time
}

// CanExpire reports whether the credentials carry an expiry, before which they are renewed.
func (c Credentials) CanExpire() bool { return !c.Expires.IsZero() }

// CredentialsProvider supplies the credentials a request is signed with: the one interface of
// every source (internal/credentials) and of every client that signs. A client asks before
// every attempt, so that a retry signs with whatever is current. Credentials itself is the
// provider of a fixed key pair.
type CredentialsProvider interface {
	Retrieve(ctx context.Context) (Credentials, error)
}

// CredentialsRenewer is a CredentialsProvider whose credentials can expire before it knows.
type CredentialsRenewer interface {
	CredentialsProvider
	// Expire reports that the gateway refused creds as expired, so that the next Retrieve
	// obtains new ones. It returns an error, saying why and what to do, when there will be none.
	Expire(creds Credentials) error
}

// Retrieve returns c, so that a fixed key pair serves where a CredentialsProvider is expected.
func (c Credentials) Retrieve(context.Context) (Credentials, error) {
	if c.AccessKey == "" || c.SecretKey == "" {
		return Credentials{}, errors.New("an access key and a secret key are required")
	}
	return c, nil
}

// CredentialsError is a request that was not sent because no credentials could be obtained for
// it. It is never retried: the provider of the credentials has its own retries.
type CredentialsError struct {
	Err error
}

func (e *CredentialsError) Error() string { return "obtaining credentials: " + e.Err.Error() }
func (e *CredentialsError) Unwrap() error { return e.Err }
