package coc

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// createPosts is what the POSTs of one create have done: whether any of them may have made the
// binding, so that a create that ends without a usable answer is known to have made nothing or
// not, and how many it may still send. A create sends at most max_retries + 1 POSTs, whatever mix of throttling,
// server faults and unusable answers it meets: the retrying client's retries and the create's own
// share one budget.
type createPosts struct {
	// mayHaveMade is set by a POST that was written in full and then met no answer (the connection
	// broke, the call was given up on) or a server fault (COC may have committed before failing),
	// and by CreateBinding for a success whose body is unusable. A refusal (4xx) made nothing, and
	// neither did a 2xx that is not COC's (a captive portal's page).
	mayHaveMade atomic.Bool
	left        atomic.Int64
}

type createPostsKey struct{}

// maxRetriesCap bounds the budget whatever max_retries says; the provider allows at most 20.
const maxRetriesCap = 100

// errNoPostLeft is a POST the budget did not allow: nothing was sent.
var errNoPostLeft = errors.New("not sent: the create has sent as many POSTs as max_retries allows")

// watch marks ctx so that the client's postCounting transport reports to p. A ClientTrace in ctx
// itself would also hear the calls that obtain the credentials (IAM, the metadata service), which
// share the request's context: a create given up on while those run would pass for written.
func (p *createPosts) watch(ctx context.Context) context.Context {
	return context.WithValue(ctx, createPostsKey{}, p)
}

func postsOf(ctx context.Context) *createPosts {
	p, _ := ctx.Value(createPostsKey{}).(*createPosts)
	return p
}

// mayPostAgain is the create's retry rule: its POSTs carry an idempotency key, so they are retried
// as any idempotent call is, while the budget lasts.
func mayPostAgain(ctx context.Context, resp *http.Response, err error) bool {
	p := postsOf(ctx)
	return hwhttp.RetryIdempotent(ctx, resp, err) && (p == nil || p.left.Load() > 0)
}

// refund gives back the POST the gateway refused for expired credentials: it never reached COC,
// and the client sends it once more with renewed ones.
func refund(ctx context.Context) {
	if p := postsOf(ctx); p != nil {
		p.left.Add(1)
	}
}

// postCounting sits under the signing transport, where the credentials have been obtained, and
// counts and traces each POST of a create.
type postCounting struct{ next http.RoundTripper }

func (t postCounting) RoundTrip(req *http.Request) (*http.Response, error) {
	p := postsOf(req.Context())
	if p == nil || req.Method != http.MethodPost {
		return t.next.RoundTrip(req) // the reads that name a conflicting binding are not POSTs
	}
	if p.left.Add(-1) < 0 {
		return nil, errNoPostLeft
	}
	var written atomic.Bool
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) { written.Store(info.Err == nil) },
	}))
	resp, err := t.next.RoundTrip(req)
	if err != nil && written.Load() || err == nil && resp.StatusCode >= 500 {
		p.mayHaveMade.Store(true)
	}
	return resp, err
}
