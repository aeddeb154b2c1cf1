package coc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// Created is what a create made: the binding, and whether COC recognised the create's
// idempotency key from an earlier attempt (of this call, or of an earlier run that sent the same
// request) and answered with what that attempt made.
type Created struct {
	Binding
	Replayed bool
}

// CreateKey is the idempotency key of a create of req's binding by the client's principal: the
// same for every attempt and every run that sends this binding with the same identifier and plain
// fields, and another for any other principal or binding. The secrets are not part of it (a key is
// no secret, and is logged): COC compares them itself, and answers a key sent with other secrets
// than the create that used it with COC.00042201.
func (c *Client) CreateKey(t platforms.AppType, req BindingRequest) (string, error) {
	p, err := platforms.For(t)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	_, _ = fmt.Fprintf(h, "coc-create-key/v1\nprincipal=%q\napp_type=%q\n", c.cfg.Principal, t)
	for _, name := range p.NonSecretNames() {
		_, _ = fmt.Fprintf(h, "%s=%q\n", name, req.Fields[name])
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// CreateBinding binds an app. Every POST carries the create's idempotency key (CreateKey), so that
// COC makes the binding at most once and recognises an attempt that already made it, and the POST
// is retried like any idempotent call (connection errors, throttling, server faults), as is a JSON
// 2xx that is cut or contradicts the request. Only COC's recognition of the key makes a binding
// this create's: a binding made on the console, or by another principal or with other settings,
// is never adopted, whatever failed before; the create then fails with ErrAlreadyBound, and
// APIError.Bound holds the bound binding when it could be read.
//
// When an attempt may have made the binding and no later answer settles it, the error wraps
// ErrOutcomeUnknown: the binding may exist, and sending the same request again (with the same
// key, within coc.IdempotencyKeyLifetime) will say.
func (c *Client) CreateBinding(ctx context.Context, t platforms.AppType, req BindingRequest) (*Created, error) {
	key, err := c.CreateKey(t, req)
	if err != nil {
		return nil, err
	}
	// One budget for every POST of this create, the retrying client's and this loop's.
	posts := newCreatePosts(c.cfg.MaxRetries)
	rc := posts.client(c)
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if err := hwhttp.Sleep(ctx, c.cfg.Backoff.Wait(attempt-1, nil)); err != nil {
				return nil, outcomeUnknown(err)
			}
		}
		var created Binding
		post := &call{method: http.MethodPost, path: bindingPath(t), appType: t, sent: &req, secrets: req.SecretValues(), idempotencyKey: key}
		err := c.do(ctx, rc, post, req, &created)
		switch {
		case err == nil:
			return &Created{Binding: created, Replayed: post.replayed}, nil
		case errors.Is(err, ErrAlreadyBound):
			return nil, c.withBound(ctx, t, err)
		case malformed(err):
			posts.mayHaveMade = true
			if posts.left <= 0 || ctx.Err() != nil {
				return nil, outcomeUnknown(err)
			}
			// COC answered success but the answer is unusable: the same key brings the whole answer.
			c.cfg.Logger.Warn(ctx, "COC's answer to a create is unusable; sending it again with the same idempotency key",
				map[string]any{"app_type": string(t), "error": err.Error()})
			continue
		case posts.mayHaveMade && !errors.Is(err, ErrValidation):
			// An earlier attempt may have made the binding although this last one was refused.
			return nil, outcomeUnknown(err)
		}
		return nil, err
	}
}

// ErrOutcomeUnknown marks a create that may have made the binding although nothing confirmed it:
// a POST reached COC, or may have, and no answer after it said what it did.
var ErrOutcomeUnknown = errors.New("COC may have made the binding, but no answer confirmed it")

func outcomeUnknown(err error) error { return fmt.Errorf("%w: %w", ErrOutcomeUnknown, err) }
